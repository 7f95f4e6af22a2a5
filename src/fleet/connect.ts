/**
 * One ServerTarget per fleet line. The line's own settings come first (a URL's user and
 * password outrank -u and -p for that server, as the issue of a fleet with per-server logins
 * wants); then the command line, the environment and the option files, read once for all.
 */
import { existsSync } from 'node:fs';
import { readClientOptions } from '../connection/option-files.ts';
import { promptPassword } from '../connection/password.ts';
import { resolveConnection } from '../connection/resolve.ts';
import type { SettingsLayer } from '../connection/settings.ts';
import {
  type ConnectionFlags,
  environmentLayer,
  flagsLayer,
  optionFileLayer,
} from '../connection/sources.ts';
import { loginUser, type ServerTarget, targetFor } from '../connection/target.ts';
import type { Interrupts } from '../interrupt.ts';
import type { IO } from '../io.ts';
import type { FleetTarget } from './targets.ts';

/** Flags that name one server: with a fleet, the targets do. */
const SERVER_FLAGS = ['host', 'socket', 'url', 'protocol'] as const;

export async function fleetServers(
  targets: FleetTarget[],
  flags: ConnectionFlags,
  io: IO,
  interrupts: Interrupts,
): Promise<ServerTarget[]> {
  const shared = { ...flags };
  for (const name of SERVER_FLAGS) delete shared[name];
  const common: SettingsLayer[] = [
    flagsLayer(shared, 'command line'),
    environmentLayer(io.env),
    optionFileLayer(readClientOptions(flags, io)),
  ];
  const context = { loginUser: loginUser(io.env), socketExists: existsSync, platform: process.platform };
  const resolved = targets.map((target) => resolveConnection([target.layer, ...common], context));
  // `-p` alone asks once for the whole fleet, not once per server.
  if (resolved.some((server) => server.password === null)) {
    const password = await promptPassword(io);
    for (const server of resolved) if (server.password === null) server.password = password;
  }
  return resolved.map((server) => targetFor(server, io, interrupts));
}
