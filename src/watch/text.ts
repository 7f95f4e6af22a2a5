/** Small text helpers for the views: widths that ignore color codes, a sparkline, numbers. */

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape codes are what it matches
const ESCAPE = /\u001b\[[0-9;?]*[A-Za-z]/y;

/** Length as the terminal shows it: escape codes take no room. */
export function visibleLength(text: string): number {
  let length = 0;
  for (let index = 0; index < text.length; ) {
    ESCAPE.lastIndex = index;
    const match = ESCAPE.exec(text);
    if (match) {
      index += match[0].length;
      continue;
    }
    const code = text.codePointAt(index) as number;
    index += code > 0xffff ? 2 : 1;
    length += 1;
  }
  return length;
}

/** Cuts a line to `width` visible characters, keeping its escape codes, so it never wraps. */
export function fitWidth(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  let out = '';
  let length = 0;
  for (let index = 0; index < text.length; ) {
    ESCAPE.lastIndex = index;
    const match = ESCAPE.exec(text);
    if (match) {
      out += match[0];
      index += match[0].length;
      continue;
    }
    const code = text.codePointAt(index) as number;
    const char = String.fromCodePoint(code);
    index += char.length;
    if (length < width - 1) {
      out += char;
      length += 1;
    }
  }
  return `${out}…\u001b[0m`;
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
