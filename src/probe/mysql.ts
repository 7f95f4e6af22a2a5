/**
 * The probe driver over mysql2: probe connections that name themselves (connection attribute
 * program_name), and short-lived control connections. Every statement has a deadline.
 */
import type { Connection, ConnectionOptions, RowDataPacket } from 'mysql2/promise';
import { closeAtOnce, createConnection } from '../connection/open.ts';
import type { CloseInfo, ProbeDriver, ProbeHandle, ServerEntry } from './driver.ts';

/** What watch-connections and bench see in performance_schema.session_connect_attrs. */
export const PROGRAM_NAME = 'dbcache-probe-idle';
/** The control connection's statements are small: a server that takes this long is not answering. */
const STATEMENT_DEADLINE_MS = 10_000;

/** Connects with the options the target settled on (TLS decided once), naming the program. */
async function connect(
  options: ConnectionOptions,
  keepaliveMs: number | null,
  role: string,
): Promise<Connection> {
  const connection = await createConnection(
    {
      ...options,
      connectAttributes: { program_name: PROGRAM_NAME, dbcache_role: role },
      enableKeepAlive: keepaliveMs !== null,
      ...(keepaliveMs !== null ? { keepAliveInitialDelay: keepaliveMs } : {}),
    },
    options.socketPath ?? `${options.host}:${options.port}`,
  );
  // A connection closed while idle reports it as an event; unheard, that would end the process.
  connection.on('error', () => undefined);
  return connection;
}

/** A probe's socket closed at once: through a black hole a FIN alone would linger for minutes. */
function hardClose(connection: Connection): void {
  // The promise wrapper's core connection, which owns the socket.
  closeAtOnce((connection as unknown as { connection: { destroy(): void } }).connection);
}

function closeInfo(err: unknown): CloseInfo {
  const { code, errno, message } = (err ?? {}) as { code?: unknown; errno?: unknown; message?: unknown };
  return {
    code: typeof code === 'string' ? code : null,
    // Network errors carry a negative errno; only the server's numbers are kept.
    errno: typeof errno === 'number' && errno > 0 ? errno : null,
    message: typeof message === 'string' ? message : 'the connection closed',
  };
}

export function mysqlDriver(
  options: ConnectionOptions,
  openFailure: (err: unknown) => Error,
  now: () => number,
): ProbeDriver {
  const control = async <T>(work: (connection: Connection) => Promise<T>): Promise<T> => {
    let connection: Connection;
    try {
      connection = await connect(options, null, 'control');
    } catch (err) {
      throw openFailure(err);
    }
    try {
      return await work(connection);
    } finally {
      await connection.end().catch(() => undefined);
      hardClose(connection);
    }
  };
  return {
    async serverFacts() {
      return control(async (connection) => {
        const [rows] = await connection.query<RowDataPacket[]>({
          sql: 'SELECT @@GLOBAL.version AS version, @@GLOBAL.version_comment AS comment, @@GLOBAL.wait_timeout AS wait_timeout, @@GLOBAL.max_connections AS max_connections, @@GLOBAL.max_user_connections AS max_user_connections, @@GLOBAL.hostname AS hostname, @@GLOBAL.port AS port',
          timeout: STATEMENT_DEADLINE_MS,
        });
        // SHOW STATUS: MySQL 8 has no information_schema.GLOBAL_STATUS.
        const [status] = await connection.query<RowDataPacket[]>({
          sql: "SHOW GLOBAL STATUS LIKE 'Threads_connected'",
          timeout: STATEMENT_DEADLINE_MS,
        });
        const row = rows[0] ?? {};
        return {
          version: String(row.version ?? ''),
          versionComment: String(row.comment ?? ''),
          waitTimeout: Number(row.wait_timeout),
          maxConnections: Number(row.max_connections),
          maxUserConnections: Number(row.max_user_connections ?? 0),
          threadsConnected: Number(status[0]?.Value ?? 0),
          identity: row.hostname && row.port ? `${String(row.hostname)}:${String(row.port)}` : '',
        };
      });
    },
    async openProbe(keepaliveMs) {
      const started = now();
      let connection: Connection;
      try {
        connection = await connect(options, keepaliveMs, keepaliveMs === null ? 'probe' : 'keepalive-probe');
      } catch (err) {
        throw openFailure(err);
      }
      let rows: RowDataPacket[];
      try {
        [rows] = await connection.query<RowDataPacket[]>({
          sql: 'SELECT CONNECTION_ID() AS id, @@SESSION.wait_timeout AS wait_timeout',
          timeout: STATEMENT_DEADLINE_MS,
        });
      } catch (err) {
        hardClose(connection);
        throw err;
      }
      return probeHandle(connection, Number(rows[0]?.id), Number(rows[0]?.wait_timeout), now() - started);
    },
    async lookUp(ids) {
      if (ids.length === 0) return [];
      return control(async (connection) => {
        const [rows] = await connection.query<RowDataPacket[]>({
          sql: `SELECT ID AS id, TIME AS idle FROM information_schema.PROCESSLIST WHERE ID IN (${ids.map(() => '?').join(', ')})`,
          values: [...ids],
          timeout: STATEMENT_DEADLINE_MS,
        });
        return rows.map((row): ServerEntry => ({ id: Number(row.id), idleSeconds: Number(row.idle) }));
      });
    },
    async kill(ids) {
      if (ids.length === 0) return [];
      return control(async (connection) => {
        const ended: number[] = [];
        for (const id of ids) {
          try {
            await connection.query({ sql: `KILL CONNECTION ${Number(id)}`, timeout: STATEMENT_DEADLINE_MS });
            ended.push(id);
          } catch (err) {
            // 1094: no such thread (it ended by itself meanwhile): nothing left to do.
            if ((err as { errno?: number }).errno !== 1094) throw err;
          }
        }
        return ended;
      });
    },
  };
}

function probeHandle(connection: Connection, connectionId: number, waitTimeout: number, setupMs: number) {
  let listener: ((info: CloseInfo) => void) | undefined;
  let gone = false;
  const closed = (info: CloseInfo) => {
    if (gone) return;
    gone = true;
    listener?.(info);
  };
  connection.on('error', (err: unknown) => closed(closeInfo(err)));
  connection.on('end', () =>
    closed({ code: 'PROTOCOL_CONNECTION_LOST', errno: null, message: 'the peer closed the connection' }),
  );
  const handle: ProbeHandle = {
    connectionId,
    waitTimeout,
    setupMs,
    onClose(next) {
      listener = next;
    },
    async ping() {
      try {
        await connection.ping();
      } catch (err) {
        const info = closeInfo(err);
        closed(info);
        throw Object.assign(new Error(info.message), info);
      }
    },
    drop() {
      gone = true;
      hardClose(connection);
    },
    async quit(deadlineMs) {
      gone = true;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        connection.end().catch(() => undefined),
        new Promise((resolve) => {
          timer = setTimeout(resolve, deadlineMs);
        }),
      ]);
      clearTimeout(timer);
      hardClose(connection);
    },
  };
  return handle;
}
