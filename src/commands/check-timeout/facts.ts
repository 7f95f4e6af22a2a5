import type { Connection } from 'mysql2/promise';
import { IDENTITY_VARIABLES, identifyServer, type ServerIdentity } from '../../server/identity.ts';
import { type IdleTimeouts, RELATED_VARIABLES, readTimeouts } from '../../server/timeouts.ts';
import { readStatus, type VariableOrigin } from '../../server/variables.ts';
import { type KnownOfServer, LOCATING_VARIABLES } from '../../serverfiles/local-server.ts';
import { readSettingSources } from '../../serverfiles/running-server.ts';
import type { OptionFilesFacts } from './drift.ts';

export const STATUS_COUNTERS = [
  'Uptime',
  'Connections',
  'Threads_connected',
  'Threads_running',
  'Threads_created',
  'Threads_cached',
  'Max_used_connections',
  'Aborted_clients',
  'Aborted_connects',
] as const;
export type StatusCounter = (typeof STATUS_COUNTERS)[number];

/** Everything check-timeout knows about the server, as read; the report is derived from this. */
export interface TimeoutFacts {
  identity: ServerIdentity;
  global: Record<string, string>;
  /** This (non-interactive) connection's session values: wait_timeout is what a pool gets. */
  session: IdleTimeouts;
  status: Record<string, number>;
  origin: VariableOrigin | null;
  connectionId: number;
  /**
   * The option files the server says its settings came from; empty when it took none from a
   * file (started with --no-defaults), null or absent when it cannot say. Decides how advice keeps a value.
   */
  configFiles?: string[] | null;
  /** What the option files set for the next start; absent or null when not known (see drift.ts). */
  optionFiles?: OptionFilesFacts | null;
  /** False for a server that is not on this machine (advice then says where to run patch-config). */
  local?: boolean;
  /** What finding the server's option files needs, read with the rest (the drift check asks nothing again). */
  known?: KnownOfServer;
}

export async function readTimeoutFacts(connection: Connection): Promise<TimeoutFacts> {
  const timeouts = await readTimeouts(connection, [
    ...RELATED_VARIABLES,
    ...IDENTITY_VARIABLES,
    ...LOCATING_VARIABLES,
  ]);
  const { pid_file, hostname, ...global } = timeouts.global;
  const status = await readStatus(connection, STATUS_COUNTERS);
  const identity = identifyServer(global);
  const { origin, configFiles } = await readSettingSources(connection, identity, 'wait_timeout');
  return {
    identity,
    global,
    session: timeouts.session,
    status,
    origin,
    connectionId: connection.threadId ?? 0,
    configFiles: configFiles.files,
    known: {
      variables: {
        ...(pid_file !== undefined ? { pid_file } : {}),
        ...(hostname !== undefined ? { hostname } : {}),
      },
      configFiles,
    },
  };
}
