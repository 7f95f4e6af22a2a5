import {
  formatDuration,
  MAX_TIMEOUT,
  MAX_TIMEOUT_WINDOWS,
  MIN_TIMEOUT,
  parseDuration,
} from '../../duration.ts';
import { type UserError, usageError } from '../../output/errors.ts';
import { isWindowsServer, type ServerIdentity } from '../../server/identity.ts';

/** Below this a pool cannot keep a connection between ordinary requests; it takes --force. */
export const FORCE_BELOW = 10;

const UNCHANGED = 'Nothing was sent to the server.';

/** Seconds in one of a unit (s, m, h, d, or none), from duration.ts's own table. */
const unitSeconds = (unit: string): number => {
  const one = parseDuration(`1${unit}`);
  return one instanceof Error ? 1 : one;
};

/**
 * The seconds the user asked for, or the usage error that says why not. Pure, and run before
 * any connection is opened: a bad value never reaches the server.
 */
export function parseTimeoutRequest(text: string, force: boolean): number | UserError {
  const trimmed = text.trim();
  if (/^-\s*\d/.test(trimmed)) {
    return usageError(
      `"${text}" is negative: wait_timeout is a number of seconds from ${MIN_TIMEOUT} to ${MAX_TIMEOUT}. ${UNCHANGED}`,
    );
  }
  const fraction = /^(\d*\.\d+)\s*([smhd]?)$/i.exec(trimmed);
  if (fraction) {
    const seconds = Number(fraction[1]) * unitSeconds(fraction[2] ?? '');
    const hint = Number.isInteger(seconds) && seconds > 0 ? ` (${text} is ${seconds})` : '';
    return usageError(`"${text}" is a fraction: wait_timeout takes whole seconds${hint}. ${UNCHANGED}`);
  }
  const seconds = parseDuration(text);
  if (seconds instanceof Error) return usageError(`${seconds.message} ${UNCHANGED}`);
  if (seconds < MIN_TIMEOUT) {
    return usageError(
      `A wait_timeout of ${seconds} s is not possible: the server accepts ${MIN_TIMEOUT} to ${MAX_TIMEOUT} s (${formatDuration(MAX_TIMEOUT)}). ${UNCHANGED}`,
    );
  }
  if (seconds > MAX_TIMEOUT) {
    return usageError(
      `${text.trim() === String(seconds) ? `${seconds} s is` : `${text} is ${seconds} s,`} more than the server allows: wait_timeout goes up to ${MAX_TIMEOUT} s (${formatDuration(MAX_TIMEOUT)}). ${UNCHANGED}`,
    );
  }
  if (seconds < FORCE_BELOW && !force) {
    return usageError(
      `A wait_timeout of ${seconds} s makes pooled applications reconnect constantly: the server would close every connection idle for ${seconds} s, shorter than the pause between ordinary requests. If that is what you want, add --force. ${UNCHANGED}`,
    );
  }
  return seconds;
}

/** The server's own ceiling: Windows builds stop at 2147483 s. Checked once the server is known. */
export function checkServerRange(seconds: number, identity: ServerIdentity): UserError | null {
  if (!isWindowsServer(identity) || seconds <= MAX_TIMEOUT_WINDOWS) return null;
  return usageError(
    `${seconds} s is more than this server allows: it runs on Windows (version_compile_os ${identity.compileOs}), where wait_timeout goes up to ${MAX_TIMEOUT_WINDOWS} s (${formatDuration(MAX_TIMEOUT_WINDOWS)}). Nothing was changed.`,
  );
}
