import type { Connection, PoolConnection } from 'mysql2/promise';
import { type StatementBounds, withDeadlines } from '../connection/deadline.ts';

/** One request of a run; resolves to the server thread (connection) id that answered it. */
export type Request = () => Promise<number>;

/** The small request both runs send unless --query says otherwise; it also names its thread. */
export const DEFAULT_QUERY = 'SELECT CONNECTION_ID()';

const ASKS_FOR_CONNECTION_ID = /^\s*SELECT\s+CONNECTION_ID\(\s*\)\s*;?\s*$/i;

/** Where a run's thread ids come from: the query's own answer, or the id the server sent in its handshake. */
export type ThreadIdSource = 'CONNECTION_ID()' | 'handshake';

export const threadIdSource = (sql: string): ThreadIdSource =>
  ASKS_FOR_CONNECTION_ID.test(sql) ? 'CONNECTION_ID()' : 'handshake';

/** A request that failed, and whether connecting or the query did: the command words its message from that. */
export class RequestFailure extends Error {
  readonly stage: 'connect' | 'query';
  constructor(stage: 'connect' | 'query', cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'RequestFailure';
    this.stage = stage;
  }
}

/**
 * Sends the query and returns the thread id: read from the result when the query is
 * `SELECT CONNECTION_ID()` (no extra round trip), else the handshake's id, the same number.
 */
export function querier(
  sql: string,
  bounds?: StatementBounds,
): (connection: Connection | PoolConnection) => Promise<number> {
  const fromResult = threadIdSource(sql) === 'CONNECTION_ID()';
  return async (connection) => {
    let rows: unknown;
    try {
      // With bounds, a request the server does not answer in time destroys its connection.
      const asked = bounds ? withDeadlines(connection, bounds) : connection;
      [rows] = await asked.query({ sql, rowsAsArray: true });
    } catch (err) {
      throw new RequestFailure('query', err);
    }
    if (fromResult) return Number((rows as unknown[][])[0]?.[0]);
    return connection.threadId;
  };
}
