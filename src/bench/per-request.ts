import { type ConnectionOptions, createConnection } from 'mysql2/promise';
import type { StatementBounds } from '../connection/deadline.ts';
import type { OpenConnections } from './open-connections.ts';
import { querier, type Request, RequestFailure } from './requests.ts';

/**
 * A request the way an application without connection caching makes it: connect, query,
 * close. The connection is closed (or, if closing fails, destroyed) before the request ends,
 * whatever happened, so an interrupted or failed run leaves nothing open.
 */
export function perRequest(
  options: ConnectionOptions,
  sql: string,
  open?: OpenConnections,
  bounds?: StatementBounds,
): Request {
  const query = querier(sql, bounds);
  return async () => {
    let connection: Awaited<ReturnType<typeof createConnection>>;
    try {
      connection = await createConnection(options);
    } catch (err) {
      throw new RequestFailure('connect', err);
    }
    open?.add(connection);
    try {
      return await query(connection);
    } finally {
      open?.delete(connection);
      await connection.end().catch(() => connection.destroy());
    }
  };
}
