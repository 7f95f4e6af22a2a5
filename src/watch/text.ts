/**
 * Small text helpers for the views: making server text safe to print, widths as the terminal
 * counts them (escape codes take none, CJK and emoji take two), a sparkline, numbers.
 */
import { printable } from '../output/printable.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape codes are what it matches
const ESCAPE = /\u001b\[[0-9;?]*[A-Za-z]/y;

/**
 * The same for everything a view prints at once (a tick, a summary, the header): every string
 * in it, however deep, made printable. Numbers, booleans and null pass through.
 */
export function printableDeep<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return value.map((item) => printableDeep(item)) as T;
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = printableDeep(item);
    return copy as T;
  }
  return value;
}

/** Combining marks, zero-width characters and Hangul medial/final jamo take no column. */
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200f\u2060-\u2064\ufeff\u1160-\u11ff]/u;
/**
 * East Asian Wide and Fullwidth characters and emoji shown as emoji take two columns (the
 * ranges of Unicode's EastAsianWidth.txt, merged; \p{Emoji_Presentation} for the emoji).
 */
const DOUBLE_WIDTH =
  /[\u1100-\u115f\u231a\u231b\u2329\u232a\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{16fe4}\u{17000}-\u{18cff}\u{1b000}-\u{1b2ff}\u{1f200}-\u{1f2ff}\u{20000}-\u{2fffd}\u{30000}-\u{3fffd}\p{Emoji_Presentation}]/u;

/** Columns one character takes in a terminal. */
function charWidth(char: string): number {
  const code = char.codePointAt(0) as number;
  // Most text is ASCII or Latin: one column, no regular expression needed.
  if (code < 0x300) return 1;
  if (ZERO_WIDTH.test(char)) return 0;
  return DOUBLE_WIDTH.test(char) ? 2 : 1;
}

/** Columns the text takes in the terminal: escape codes take none, wide characters two. */
export function visibleLength(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; ) {
    ESCAPE.lastIndex = index;
    const match = ESCAPE.exec(text);
    if (match) {
      index += match[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(index) as number);
    index += char.length;
    length += charWidth(char);
  }
  return length;
}

/**
 * Cuts a line to `width` columns, keeping its escape codes whole and never splitting a
 * character (a wide one that would straddle the edge is left out), so it never wraps. A cut
 * line ends with `…` and a reset, so a color cut short does not run on.
 */
export function fitWidth(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  return `${cut(text, width - 1, true)}…\u001b[0m`;
}

/** A table cell: at most `width` columns (cut with `…`), padded to exactly `width`. */
export function cell(text: string, width: number): string {
  return padEnd(visibleLength(text) > width ? `${cut(text, width - 1, false)}…` : text, width);
}

function cut(text: string, columns: number, keepEscapes: boolean): string {
  let out = '';
  let length = 0;
  let full = false;
  for (let index = 0; index < text.length; ) {
    ESCAPE.lastIndex = index;
    const match = ESCAPE.exec(text);
    if (match) {
      // Escape codes after the cut still go out: a color opened before it is closed after it.
      if (keepEscapes) out += match[0];
      index += match[0].length;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(index) as number);
    index += char.length;
    if (full) continue;
    const size = charWidth(char);
    if (length + size > columns) {
      if (!keepEscapes) break;
      full = true;
      continue;
    }
    out += char;
    length += size;
  }
  return out;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}

export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - visibleLength(text))) + text;
}

const BARS = '▁▂▃▄▅▆▇█';

/** One character per value, scaled to the largest; zero is the lowest bar. */
export function sparkline(values: number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((value) =>
      max === 0 || value <= 0 ? BARS[0] : BARS[Math.max(1, Math.ceil((value / max) * (BARS.length - 1)))],
    )
    .join('');
}

export const rate = (value: number | null): string => (value === null ? '-' : value.toFixed(2));

/** Ids for a sentence: the first few, then how many more. */
export function idList(ids: number[], most = 20): string {
  if (ids.length <= most) return ids.join(',');
  return `${ids.slice(0, most).join(',')},… (+${ids.length - most})`;
}
