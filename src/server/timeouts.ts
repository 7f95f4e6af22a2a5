/**
 * The server's idle limits, and the one that a pooled connection gets: the single reader that
 * check-timeout, set-timeout and generate share.
 *
 * A new connection's session wait_timeout is a copy of the global wait_timeout, or of the global
 * interactive_timeout when the client sets CLIENT_INTERACTIVE at login (the mysql shell does;
 * pool drivers such as mysql2 do not): `server_mpvio_update_thd` in the server's sql/sql_acl.cc
 * (MariaDB) and sql/auth/sql_authentication.cc (MySQL). init_connect, a proxy or a client's own
 * SET SESSION can change it after that, so the session value of a non-interactive connection is
 * the one that counts (test/proof/interactive.test.ts shows both on a real server).
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { readVariables } from './variables.ts';

/** The two variables a new connection's idle limit is copied from (what set-timeout changes). */
export const IDLE_TIMEOUTS = ['wait_timeout', 'interactive_timeout'] as const;
export type IdleTimeout = (typeof IDLE_TIMEOUTS)[number];
export type IdleTimeouts = Record<IdleTimeout, number>;

/** Their neighbours: other limits on a connection's life, and the capacity idle connections use up. */
export const RELATED_VARIABLES = [
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

export interface TimeoutReading {
  /** The global values as the server prints them, by lower-case name; names it lacks are absent. */
  global: Record<string, string>;
  /** The global idle limits, as numbers. */
  globalTimeouts: IdleTimeouts;
  /** This connection's session values. */
  session: IdleTimeouts;
  /**
   * The idle limit a pooled connection gets: the session wait_timeout of this connection, which
   * was opened non-interactive as every pool driver's is, after whatever changes it at login.
   */
  poolTimeout: number;
}

/**
 * The idle limits, global and of this connection, plus any other global variables asked for
 * (read in the same statement): two statements in all.
 */
export async function readTimeouts(
  connection: Connection,
  alsoGlobal: readonly string[] = [],
): Promise<TimeoutReading> {
  const global = await readVariables(connection, 'GLOBAL', [...IDLE_TIMEOUTS, ...alsoGlobal]);
  const session = await readSessionTimeouts(connection);
  return { global, globalTimeouts: idleTimeoutsOf(global), session, poolTimeout: session.wait_timeout };
}

/** The global idle limits alone (set-timeout reads them back after a change). */
export async function readGlobalTimeouts(connection: Connection): Promise<IdleTimeouts> {
  return idleTimeoutsOf(await readVariables(connection, 'GLOBAL', IDLE_TIMEOUTS));
}

/** The session values of a connection: what its own idle limit is. */
export async function readSessionTimeouts(connection: Connection): Promise<IdleTimeouts> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT @@session.wait_timeout AS wait_timeout, @@session.interactive_timeout AS interactive_timeout',
  );
  return {
    wait_timeout: Number(rows[0]?.wait_timeout),
    interactive_timeout: Number(rows[0]?.interactive_timeout),
  };
}

const idleTimeoutsOf = (variables: Record<string, string>): IdleTimeouts => ({
  wait_timeout: Number(variables.wait_timeout),
  interactive_timeout: Number(variables.interactive_timeout),
});
