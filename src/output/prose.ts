import { stripVTControlCharacters } from 'node:util';
import wrapAnsi from 'wrap-ansi';
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

/**
 * A sentence (or several) broken at spaces so that no line is wider than `width`, with its
 * colors intact; a word longer than a line (a path, a URL) stays whole on a line of its own.
 * `lead` starts the first line (`warning `, `  → `) and the lines after it are indented to
 * the same column, so the text reads as one block. An infinite width leaves the text as it is.
 */
export function wrapProse(text: string, width: number, lead = ''): string {
  if (!Number.isFinite(width)) return `${lead}${text}`;
  const indent = stripVTControlCharacters(lead).length;
  // On a very narrow terminal the text keeps a readable column, and lines run over instead.
  const room = Math.max(width - indent, 20);
  return wrapAnsi(text, room, { hard: false, trim: true })
    .split('\n')
    .map((line, i) => (i === 0 ? lead : ' '.repeat(indent)) + line)
    .join('\n');
}
