/**
 * How wide output may be, apart from the wrapping itself (prose.ts): light, since the loader's
 * help cache needs it before anything else is loaded.
 */
import type { IO, Output } from '../io.ts';

/** Where the real width is unknown (a pipe, a file, a CI log), prose fits an 80-column terminal. */
export const DEFAULT_WIDTH = 80;

/**
 * Columns to fill on this stream: COLUMNS when set (POSIX: the user's preferred width, which
 * takes precedence, as GNU ls and many CLIs read it), else the terminal's own width, else
 * DEFAULT_WIDTH.
 */
export function widthOf(stream: Output, env: IO['env'] = {}): number {
  const preferred = /^\d+$/.test(env.COLUMNS ?? '') ? Number(env.COLUMNS) : 0;
  if (preferred > 0) return preferred;
  const columns = stream.isTTY === true ? stream.columns : undefined;
  return columns !== undefined && columns > 0 ? columns : DEFAULT_WIDTH;
}

/**
 * Columns for messages on stderr (warnings, errors): a terminal's width, and no wrapping
 * elsewhere, so that each message stays one line in a log file, for grep and for scripts.
 */
export function messageWidthOf(stream: Output, env: IO['env'] = {}): number {
  return stream.isTTY === true ? widthOf(stream, env) : Number.POSITIVE_INFINITY;
}
