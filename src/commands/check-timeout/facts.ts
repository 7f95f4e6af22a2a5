import type { Connection } from 'mysql2/promise';
import { IDENTITY_VARIABLES, identifyServer, type ServerIdentity } from '../../server/identity.ts';
import {
  readStatus,
  readVariableOrigin,
  readVariables,
  type VariableOrigin,
} from '../../server/variables.ts';
import type { OptionFilesFacts } from './drift.ts';

/** The server variables that decide how long an idle connection lives, and their neighbours. */
export const TIMEOUT_VARIABLES = [
  'wait_timeout',
  'interactive_timeout',
  'connect_timeout',
  'net_read_timeout',
  'net_write_timeout',
  'max_connections',
  'thread_cache_size',
  'init_connect',
  // MariaDB: closes connections idle inside a transaction, whatever wait_timeout says.
  'idle_transaction_timeout',
  'idle_readonly_transaction_timeout',
  'idle_write_transaction_timeout',
  // MySQL 8: the X Protocol's own idle limit.
  'mysqlx_wait_timeout',
] as const;

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

/** Everything check-timeout knows about the server, as read; the report is derived from this. */
export interface TimeoutFacts {
  identity: ServerIdentity;
  global: Record<string, string>;
  session: { wait_timeout: number; interactive_timeout: number };
  status: Record<string, number>;
  origin: VariableOrigin | null;
  connectionId: number;
  /** What the option files set for the next start; absent or null when not known (see drift.ts). */
  optionFiles?: OptionFilesFacts | null;
}

export async function readTimeoutFacts(connection: Connection): Promise<TimeoutFacts> {
  const global = await readVariables(connection, 'GLOBAL', [...TIMEOUT_VARIABLES, ...IDENTITY_VARIABLES]);
  const session = await readVariables(connection, 'SESSION', ['wait_timeout', 'interactive_timeout']);
  const status = await readStatus(connection, STATUS_COUNTERS);
  const identity = identifyServer(global);
  const origin = await readVariableOrigin(connection, identity, 'wait_timeout');
  return {
    identity,
    global,
    session: {
      wait_timeout: Number(session.wait_timeout),
      interactive_timeout: Number(session.interactive_timeout),
    },
    status,
    origin,
    connectionId: connection.threadId ?? 0,
  };
}
