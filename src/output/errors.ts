import { ExitCode, type ExitCodeValue } from './exit-codes.ts';

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
export interface ServerError {
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

/** What to print for an error that reached the top level, and the exit code. */
export function describeFailure(err: unknown, debug: boolean): { text: string; exitCode: ExitCodeValue } {
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  if (err instanceof UserError) return { text: `dbcache: ${err.message}${stack}`, exitCode: err.exitCode };
  if (isServerError(err)) {
    return {
      text: `dbcache: the server returned error ${err.errno} (${err.code ?? 'unknown'}): ${err.sqlMessage ?? err.message}${stack}`,
      exitCode: ExitCode.server,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    text: debug
      ? `dbcache: internal error: ${message}${stack}`
      : `dbcache: internal error: ${message}. This is a bug; run again with DBCACHE_DEBUG=1 to see where it happened, and report it.`,
    exitCode: ExitCode.internal,
  };
}
