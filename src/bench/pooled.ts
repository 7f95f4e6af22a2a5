import { type ConnectionOptions, createPool, type PoolConnection } from 'mysql2/promise';
import type { StatementBounds } from '../connection/deadline.ts';
import type { OpenConnections } from './open-connections.ts';
import { querier, type Request, RequestFailure } from './requests.ts';

interface BenchPool {
  request: Request;
  /** Ends every pool connection; call it whatever happened. */
  close(): Promise<void>;
}

/**
 * A mysql2 pool of `size` connections, all opened before it is returned: an application's pool
 * is warm by the time requests arrive, and opening belongs to the per-request side of the story.
 */
export async function openPool(
  options: ConnectionOptions,
  size: number,
  sql: string,
  open?: OpenConnections,
  bounds?: StatementBounds,
): Promise<BenchPool> {
  const pool = createPool({ ...options, connectionLimit: size, maxIdle: size, queueLimit: 0 });
  const close = () => pool.end().catch(() => undefined);
  const opening = await Promise.allSettled(Array.from({ length: size }, () => pool.getConnection()));
  for (const opened of opening) if (opened.status === 'fulfilled') opened.value.release();
  const failed = opening.find((opened): opened is PromiseRejectedResult => opened.status === 'rejected');
  if (failed) {
    await close();
    throw new RequestFailure('connect', failed.reason);
  }
  const query = querier(sql, bounds);
  return {
    async request() {
      let connection: PoolConnection;
      try {
        connection = await pool.getConnection();
      } catch (err) {
        throw new RequestFailure('connect', err);
      }
      open?.add(connection);
      try {
        return await query(connection);
      } finally {
        open?.delete(connection);
        connection.release();
      }
    },
    close,
  };
}
