/**
 * One line as the server sees it: a port of the loop body of `search_default_file_with_ext()`
 * (mysys/my_default.c, MariaDB 10.11), with the same trimming and quirks, that records where
 * each part sits instead of copying it.
 */
import { isServerSpace } from './bytes.ts';
import type { OptionLine, Span } from './doc.ts';
import { normalizeOptionName } from './names.ts';

export type LineView =
  | { kind: 'blank' }
  | { kind: 'comment' }
  | { kind: 'group'; name: string; nameSpan: Span }
  | { kind: 'malformed-group' }
  | {
      kind: 'directive';
      directive: 'include' | 'includedir' | 'unknown';
      argument: string | null;
      argumentSpan: Span | null;
      /** The argument lost its last byte because the line has no newline. */
      truncated: boolean;
    }
  // The option fields the document keeps, with the comment's start instead of its span.
  | (Pick<OptionLine, 'kind' | 'rawName' | 'name' | 'loose' | 'keySpan' | 'value' | 'valueSpan' | 'quote'> & {
      commentAt: number | null;
    });

const space = (view: string, at: number) => at >= 0 && at < view.length && isServerSpace(view.charCodeAt(at));

/**
 * `view` is what fgets() returned, cut at the first NUL (C string functions stop there), so it
 * ends with its newline unless the line was the last one, over-long, or held a NUL.
 * `from` skips a byte-order mark that the caller reports separately.
 */
export function classifyLine(view: string, from = 0): LineView {
  let at = from;
  while (space(view, at)) at++;
  if (at === view.length) return { kind: 'blank' };
  const first = view[at];
  if (first === '#' || first === ';') return { kind: 'comment' };
  if (first === '!') return classifyDirective(view, at + 1);
  if (first === '[') return classifyGroup(view, at + 1);
  return classifyOption(view, at);
}

function classifyGroup(view: string, nameStart: number): LineView {
  const close = view.indexOf(']', nameStart);
  if (close === -1) return { kind: 'malformed-group' };
  let end = close;
  while (space(view, end - 1)) end--;
  return { kind: 'group', name: view.slice(nameStart, end), nameSpan: { start: nameStart, end } };
}

const KEYWORDS = ['includedir', 'include'] as const;

function classifyDirective(view: string, afterBang: number): LineView {
  let at = afterBang;
  while (space(view, at)) at++;
  // The keyword is case-sensitive and must be followed by white space (not end of line).
  const directive = KEYWORDS.find((word) => view.startsWith(word, at) && space(view, at + word.length));
  if (!directive)
    return { kind: 'directive', directive: 'unknown', argument: null, argumentSpan: null, truncated: false };
  let start = at + directive.length;
  while (space(view, start)) start++;
  // get_argument() assumes the line ends in "\n" and always drops the last byte, then trims.
  let end = view.length - 1;
  while (space(view, end - 1)) end--;
  const truncated = !space(view, view.length - 1);
  if (end <= start) return { kind: 'directive', directive, argument: null, argumentSpan: null, truncated };
  return {
    kind: 'directive',
    directive,
    argument: view.slice(start, end),
    argumentSpan: { start, end },
    truncated,
  };
}

function classifyOption(view: string, nameStart: number): LineView {
  const commentAt = findEndComment(view, nameStart);
  const equals = view.indexOf('=', nameStart);
  const hasValue = equals !== -1 && equals < commentAt;
  let nameEnd = hasValue ? equals : commentAt;
  // The server's loop has no lower bound here; with an empty name it reads before the line.
  while (nameEnd > nameStart && space(view, nameEnd - 1)) nameEnd--;
  const rawName = view.slice(nameStart, nameEnd);
  const option = {
    kind: 'option' as const,
    rawName,
    ...normalizeOptionName(rawName),
    keySpan: { start: nameStart, end: nameEnd },
    commentAt: commentAt < view.length ? commentAt : null,
  };
  if (!hasValue) return { ...option, value: null, valueSpan: null, quote: null };

  let start = equals + 1;
  while (start < commentAt && space(view, start)) start++;
  let end = commentAt;
  while (end > start && space(view, end - 1)) end--;
  const opening = view[start];
  const quoted = (opening === '"' || opening === "'") && start + 1 < end && view[end - 1] === opening;
  const value = processEscapes(view, quoted ? start + 1 : start, quoted ? end - 1 : end);
  return { ...option, value, valueSpan: { start, end }, quote: quoted ? (opening as '"' | "'") : null };
}

/** `remove_end_comment()`: the first `#` outside quotes; a backslash escapes only inside quotes. */
function findEndComment(view: string, from: number): number {
  let quote: string | null = null;
  let escaped = false;
  for (let at = from; at < view.length; at++) {
    const char = view[at];
    if ((char === "'" || char === '"') && !escaped) {
      if (quote === null) quote = char;
      else if (quote === char) quote = null;
    }
    if (quote === null && char === '#') return at;
    escaped = quote !== null && char === '\\' && !escaped;
  }
  return view.length;
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  s: ' ',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

/** Escapes apply to every value, quoted or not; an unknown `\x` stays, a final `\` is literal. */
function processEscapes(view: string, start: number, end: number): string {
  let value = '';
  for (let at = start; at < end; at++) {
    const char = view[at] as string;
    if (char === '\\' && at !== end - 1) {
      at++;
      const next = view[at] as string;
      value += ESCAPES[next] ?? `\\${next}`;
    } else {
      value += char;
    }
  }
  return value;
}
