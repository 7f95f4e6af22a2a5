import { stripVTControlCharacters } from 'node:util';
import wrapAnsi from 'wrap-ansi';

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
