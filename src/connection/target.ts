import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { ConnectionOptions } from 'mysql2/promise';
import { Interrupts } from '../interrupt.ts';
import type { IO } from '../io.ts';
import { usageError } from '../output/errors.ts';
import { withDeadlines } from './deadline.ts';
import { openEarly } from './early-socket.ts';
import type { Connection } from './open.ts';
import { readClientOptions } from './option-files.ts';
import { promptPassword } from './password.ts';
import { COMMAND_LINE, describeTransport, type ResolvedConnection, resolveConnection } from './resolve.ts';
import type { SettingsLayer } from './settings.ts';
import { type ConnectionFlags, environmentLayer, flagsLayer, optionFileLayer, urlLayer } from './sources.ts';

/** The server a command talks to: how to name it in messages, and how to open a connection. */
export interface ServerTarget {
  /** "socket /run/mysqld/mysqld.sock" or "db1:3306". */
  address: string;
  user: string;
  resolved: ResolvedConnection;
  /** The command run's Ctrl-C and SIGTERM (see src/interrupt.ts). */
  interrupts: Interrupts;
  /**
   * Opens a new connection; asks for the password (once) when it must. Connecting, and every
   * statement on the connection, give up at once when `signal` aborts (by default the first
   * Ctrl-C or SIGTERM: `interrupts.signal`), and each statement has --statement-timeout.
   */
  connect(signal?: AbortSignal): Promise<Connection>;
  /**
   * The mysql2 options `connect()` ends up with (password included, TLS decided by one probe
   * connection): for a mysql2 pool, or for many connects that must not each retry TLS.
   */
  poolOptions(signal?: AbortSignal): Promise<ConnectionOptions>;
}

/**
 * Resolves where to connect the way the mysql client does: command line > URL (--url or
 * DATABASE_URL) > environment > option files ([client], [client-server], [client-mariadb],
 * [dbcache]) > defaults.
 */
export function resolveTarget(
  flags: ConnectionFlags,
  io: IO,
  interrupts: Interrupts = new Interrupts(),
): ServerTarget {
  const layers: SettingsLayer[] = [flagsLayer(flags, COMMAND_LINE)];
  const fromUrl = urlLayer(flags, io.env);
  if (fromUrl) layers.push(fromUrl);
  layers.push(environmentLayer(io.env));
  layers.push(optionFileLayer(readClientOptions(flags, io)));
  const resolved = resolveConnection(layers, {
    loginUser: loginUser(io.env),
    socketExists: existsSync,
    platform: process.platform,
  });
  return targetFor(resolved, io, interrupts);
}

/** `interrupts` defaults to a set no process signal reaches: tests press it themselves. */
export function targetFor(
  resolved: ResolvedConnection,
  io: IO,
  interrupts: Interrupts = new Interrupts(),
): ServerTarget {
  let password: Promise<string | undefined> | undefined;
  const askOnce = () =>
    (password ??= resolved.password === null ? promptPassword(io) : Promise.resolve(resolved.password));
  const address = describeTransport(resolved.transport);
  const bounds = (signal: AbortSignal) => ({
    address,
    timeoutSeconds: resolved.statementTimeout,
    signal,
    handle: <T>(work: () => Promise<T>) => interrupts.handle(work),
  });
  return {
    address,
    user: resolved.user,
    resolved,
    interrupts,
    async connect(signal = interrupts.signal) {
      // Not while a password prompt waits: the server gives a handshake only connect_timeout.
      const early = resolved.password !== null && !signal.aborted ? openEarly(resolved) : undefined;
      const { openConnection } = await loadDriver().catch((err: unknown) => {
        early?.take()?.destroy();
        throw err;
      });
      const secret = await askOnce();
      const connection = await interrupts.handle(() =>
        openConnection(resolved, secret, signal, early?.take()),
      );
      return withDeadlines(connection, bounds(signal));
    },
    async poolOptions(signal = interrupts.signal) {
      const { openSettled } = await loadDriver();
      const secret = await askOnce();
      const { connection, options } = await interrupts.handle(() => openSettled(resolved, secret, signal));
      await withDeadlines(connection, bounds(signal)).end();
      return options;
    },
  };
}

/** mysql2 is the largest thing dbcache loads: only commands that connect pay for it. */
const loadDriver = () => import('./open.ts');

/**
 * The mysql client's default user. Containers that run under an arbitrary uid have no name for
 * it: then say so rather than guess (guessing root would be the worst guess).
 */
export function loginUser(env: IO['env']): string {
  try {
    return userInfo().username;
  } catch {
    const name = env.USER ?? env.USERNAME;
    if (name) return name;
    throw usageError('Could not tell your login name, which is the default user: give one with --user.');
  }
}
