import type { Connection, RowDataPacket } from 'mysql2/promise';
import { StatementTimeout } from '../connection/deadline.ts';
import type { ServerTarget } from '../connection/target.ts';
import { isConnectionLost as isConnectionGone, isServerError, UserError } from '../output/errors.ts';
import { ExitCode } from '../output/exit-codes.ts';
import { identifyServer, type ServerIdentity } from '../server/identity.ts';
import { readStatus, readVariables } from '../server/variables.ts';
import { chooseSource, type ProcesslistSource, processlistStatement } from './query.ts';
import type { Filters } from './report.ts';
import { COUNTER_NAMES, type ConnectionRow, type Snapshot } from './snapshot.ts';

/**
 * The watcher's own idle limit (a day, within every server's range): between ticks its
 * connection sleeps, and a server with a short wait_timeout must not close it.
 */
const WATCHER_WAIT_TIMEOUT = 86_400;
/**
 * The global wait_timeout is re-read this often, so a SET GLOBAL during the watch shows; and at
 * once whenever Aborted_clients rises, the one time the value decides something (whether a gone
 * connection was closed for idling).
 */
const WAIT_TIMEOUT_REFRESH_MS = 30_000;

/** One connection to the server, ready to sample. Replaced by a new one after it is lost. */
export interface WatchSession {
  watcherId: number;
  identity: ServerIdentity;
  /** Where the list comes from now: it can change after the first tick (see SourceMemory). */
  readonly source: ProcesslistSource;
  /** False without the PROCESS privilege: the server then lists only this user's connections. */
  seesEveryUser: boolean;
  /**
   * One tick: the filtered connection list and the counters. Rejects with a lost-connection error
   * when it must reconnect (the server's, or the statement deadline's). The stop signal is the
   * one the session was opened with: the connection's statements end at once when it aborts.
   */
  sample(signal: AbortSignal): Promise<Snapshot>;
  /** Quits politely (a destroyed socket would count as an Aborted_client); destroys it when that takes too long. */
  close(): Promise<void>;
}

/**
 * Shared by every session of one watch: once the server refused performance_schema.processlist,
 * the sessions after a reconnect read information_schema straight away (the fallback is for good).
 */
export interface SourceMemory {
  performanceSchemaRefused: boolean;
}

export interface SessionOptions {
  filters: Filters;
  now(): number;
  sourceMemory?: SourceMemory;
}

/**
 * Connects and gets ready to sample. The connection is the target's: connecting is bounded by
 * --connect-timeout (a password prompt is not hurried), every statement by --statement-timeout,
 * and all of it by the stop signal, so Ctrl-C never waits for a server that does not answer and
 * no socket is left behind to keep the process up.
 */
export async function openSession(
  target: ServerTarget,
  options: SessionOptions,
  signal?: AbortSignal,
): Promise<WatchSession> {
  const connection = await target.connect(signal);
  try {
    return await prepare(connection, options);
  } catch (err) {
    connection.destroy();
    throw err;
  }
}

async function prepare(connection: Connection, options: SessionOptions): Promise<WatchSession> {
  // A connection the server closes between ticks reports it as an event, not through a query:
  // without a listener it would crash the process. The next sample reports it instead.
  let lost: Error | undefined;
  connection.on('error', (err: Error) => {
    lost ??= err;
  });
  const memory = options.sourceMemory ?? { performanceSchemaRefused: false };
  await connection.query('SET SESSION wait_timeout = ?', [WATCHER_WAIT_TIMEOUT]);
  const variables = await readVariables(connection, 'GLOBAL', [
    'version',
    'version_comment',
    'version_compile_os',
    'performance_schema',
    'wait_timeout',
  ]);
  const identity = identifyServer(variables);
  const seesEveryUser = await hasProcessPrivilege(connection);
  let source: ProcesslistSource = memory.performanceSchemaRefused
    ? 'information_schema.PROCESSLIST'
    : chooseSource(identity, variables.performance_schema);
  let waitTimeout = Number(variables.wait_timeout ?? 0);
  let waitTimeoutReadAt = options.now();
  let abortedClients: number | undefined;

  const readList = async (): Promise<RowDataPacket[]> => {
    const statement = processlistStatement(source, options.filters);
    try {
      // A server-side prepared statement: the filter values never pass through client-side
      // escaping, which a session or global sql_mode with NO_BACKSLASH_ESCAPES would defeat.
      const [rows] = await connection.execute<RowDataPacket[]>(statement.sql, statement.params);
      return rows;
    } catch (err) {
      // performance_schema may be readable for some users only: fall back for good.
      if (source === 'performance_schema.processlist' && (err as { errno?: number }).errno === 1142) {
        source = 'information_schema.PROCESSLIST';
        memory.performanceSchemaRefused = true;
        return readList();
      }
      throw err;
    }
  };

  return {
    watcherId: connection.threadId ?? 0,
    identity,
    get source() {
      return source;
    },
    seesEveryUser,
    async sample() {
      if (lost) throw lost;
      try {
        const rows = await readList();
        const at = options.now();
        const counters = await readStatus(connection, COUNTER_NAMES);
        const aborted = counters.Aborted_clients;
        const abortRose = abortedClients !== undefined && aborted !== undefined && aborted > abortedClients;
        abortedClients = aborted;
        if (abortRose || at - waitTimeoutReadAt >= WAIT_TIMEOUT_REFRESH_MS) {
          const fresh = await readVariables(connection, 'GLOBAL', ['wait_timeout']);
          waitTimeout = Number(fresh.wait_timeout ?? waitTimeout);
          waitTimeoutReadAt = at;
        }
        return { at, connections: rows.map(toConnectionRow), counters, waitTimeout };
      } catch (err) {
        if (isConnectionLost(err)) lost ??= err as Error;
        throw err;
      }
    },
    async close() {
      if (lost) {
        connection.destroy();
        return;
      }
      // The target's connection bounds the polite quit by the statement deadline.
      await connection.end().catch(() => connection.destroy());
    },
  };
}

/**
 * Global privileges are listed per grantee; root sees everyone's, so match this account. Roles
 * are not followed: a role-granted PROCESS reads as absent, which only skips the short-lived count.
 */
async function hasProcessPrivilege(connection: Connection): Promise<boolean> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT 1 FROM information_schema.USER_PRIVILEGES
      WHERE PRIVILEGE_TYPE = 'PROCESS'
        AND GRANTEE = CONCAT("'", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), "'@'", SUBSTRING_INDEX(CURRENT_USER(), '@', -1), "'")`,
  );
  return rows.length > 0;
}

function toConnectionRow(row: RowDataPacket): ConnectionRow {
  return {
    id: Number(row.id),
    user: row.user === null || row.user === undefined ? '' : String(row.user),
    host: row.host === null || row.host === undefined ? '' : String(row.host),
    db: row.db === null || row.db === undefined ? null : String(row.db),
    command: String(row.command ?? ''),
    time: Number(row.time ?? 0),
    state: row.state === null || row.state === undefined || row.state === '' ? null : String(row.state),
  };
}

/**
 * True when the watcher should reconnect rather than stop with an error: the connection is gone,
 * the server refuses connections while it restarts, a KILL QUERY interrupted the tick (1317), or
 * a statement met its deadline (StatementTimeout counts as a lost connection).
 */
export function isConnectionLost(err: unknown): boolean {
  const { code, errno } = err as { code?: string; errno?: number };
  return isConnectionGone(err) || code === 'ECONNREFUSED' || errno === 1317;
}

/** Why the connection was lost, as the end of a sentence. */
export function describeLoss(err: unknown): string {
  const { code, errno, message } = err as { code?: string; errno?: number; message?: string };
  if (errno === 1927 || code === 'PROTOCOL_CONNECTION_LOST') {
    return 'the server closed the connection (killed, or the server stopped)';
  }
  if (errno === 1053) return 'the server is shutting down';
  if (errno === 4031) return 'the server closed the connection for inactivity';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'the connection was reset';
  if (err instanceof StatementTimeout) return err.shortReason;
  return (message ?? String(err)).replace(/^dbcache: /, '').replace(/\.$/, '');
}

/** Server errors a reconnect can outlive: too many connections, shutting down, killed, lost, interrupted. */
const RETRY_ERRNOS = new Set([1040, 1053, 1317, 1927, 2006, 2013, 4031]);
/** Network failures while a server restarts or the network recovers (the socket file goes away with the server). */
const RETRY_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOENT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);

/**
 * True when a failed reconnect is worth trying again: the server is away (refused, reset, no
 * answer, restarting). A refused password, a missing privilege, an unknown database or a TLS
 * failure will fail the same way every time: the watch ends with its exit code instead.
 */
export function isWorthRetrying(err: unknown): boolean {
  // connectFailure wraps what mysql2 said in a sentence; the cause says what happened.
  const cause = err instanceof UserError && err.cause !== undefined ? err.cause : err;
  if (isServerError(cause)) return RETRY_ERRNOS.has(cause.errno as number);
  const { code } = (cause ?? {}) as { code?: string };
  return code !== undefined && RETRY_CODES.has(code);
}

const AUTHENTICATION_ERRNOS = new Set([1045, 1698, 1130]);
/** Access denied: to a database (1044), a table (1142), a column (1143), an operation (1227), a routine (1370). */
const PRIVILEGE_ERRNOS = new Set([1044, 1142, 1143, 1227, 1370]);

/** An error that ends the watch, with the exit code it deserves (authentication 4, privilege 5). */
export function watchFailure(err: unknown): unknown {
  if (!isServerError(err)) return err;
  const said = `${(err.sqlMessage ?? err.message).replace(/\.$/, '')} (error ${err.errno})`;
  if (AUTHENTICATION_ERRNOS.has(err.errno as number)) {
    return new UserError(
      `The server no longer accepts the watcher's login: ${said}. Check the password and the user, then watch again.`,
      ExitCode.authentication,
      { cause: err },
    );
  }
  if (PRIVILEGE_ERRNOS.has(err.errno as number)) {
    return new UserError(
      `The server refused what the watcher asked: ${said}. Grant the privilege, or watch as another user (--user).`,
      ExitCode.privilege,
      { cause: err },
    );
  }
  return err;
}
