import { ExitCode, type ExitCodeValue } from './exit-codes.ts';
import { printable } from './printable.ts';

/**
 * An error a user can act on: `message` is one or two plain sentences, printed as-is without a
 * stack trace. Anything else that reaches the top level is a bug and exits with `internal`.
 */
export class UserError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

export const usageError = (message: string): UserError => new UserError(message, ExitCode.usage);

/** The shape of a mysql2 error, without importing mysql2 where only the shape is needed. */
interface ServerError {
  code?: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
  message: string;
}

/** An error the server sent (it has an SQL state); network errors carry a negative errno instead. */
export function isServerError(err: unknown): err is ServerError {
  return (
    err instanceof Error &&
    typeof (err as ServerError).sqlState === 'string' &&
    typeof (err as ServerError).errno === 'number'
  );
}

const LOST_CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);
/**
 * Errors that end the connection: the server is shutting down (1053), killed it (1927) or closed
 * it for idling (4031, MySQL 8.0.24+); the client's "gone away" (2006) and "lost" (2013).
 */
const LOST_CONNECTION_ERRNOS = new Set([1053, 1927, 2006, 2013, 4031]);

/** True for an error that means the connection itself is gone, not that a statement failed. */
export function isConnectionLost(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, errno, fatal } = err as Error & { code?: string; errno?: number; fatal?: boolean };
  return (
    fatal === true ||
    (code !== undefined && LOST_CONNECTION_CODES.has(code)) ||
    (errno !== undefined && LOST_CONNECTION_ERRNOS.has(errno))
  );
}

/** What to print for an error that reached the top level, and the exit code. */
export function describeFailure(err: unknown, debug: boolean): { text: string; exitCode: ExitCodeValue } {
  const described = describe(err, debug);
  // Messages quote the server (its errors, names others chose): no control character reaches
  // the terminal, line by line so that a message's own line breaks stay.
  return { ...described, text: described.text.split('\n').map(printable).join('\n') };
}

function describe(err: unknown, debug: boolean): { text: string; exitCode: ExitCodeValue } {
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  if (err instanceof UserError) return { text: `dbcache: ${err.message}${stack}`, exitCode: err.exitCode };
  if (isServerError(err)) {
    return {
      text: `dbcache: the server returned error ${err.errno} (${err.code ?? 'unknown'}): ${err.sqlMessage ?? err.message}${stack}`,
      exitCode: ExitCode.server,
    };
  }
  if (isConnectionLost(err)) {
    return {
      text: `dbcache: the connection to the server was lost during the command (${(err as Error).message.replace(/\.+$/, '')}): the server may have restarted, closed the connection, or the network dropped. Run the command again; if it keeps happening, check the server's error log.${stack}`,
      exitCode: ExitCode.connection,
    };
  }
  const message = (err instanceof Error ? err.message : String(err)).replace(/\.+$/, '');
  return {
    text: debug
      ? `dbcache: internal error: ${message}${stack}`
      : `dbcache: internal error: ${message}. This is a bug; run again with DBCACHE_DEBUG=1 to see where it happened, and report it.`,
    exitCode: ExitCode.internal,
  };
}
