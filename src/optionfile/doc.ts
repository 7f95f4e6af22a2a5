/**
 * The parsed form of one option file. It is a line container: every line keeps its exact bytes
 * (`text` + `eol`), and the parsed view (kind, group, spans) sits beside them, so an editor
 * can replace one value or insert one line and serialize the rest untouched.
 *
 * All strings taken from the file are byte strings (latin1, one character per byte; see
 * bytes.ts). Spans are offsets into the line's `text`.
 */

export type LineEnding = '\n' | '\r\n' | '';

/** A half-open range [start, end) of a line's `text`. */
export interface Span {
  start: number;
  end: number;
}

interface LineBase {
  /** Physical line number, 1-based, as an editor shows it. */
  number: number;
  /** The line's bytes without its line ending. */
  text: string;
  /** The line ending; '' for a last line without newline or a piece of an over-long line. */
  eol: LineEnding;
  /** The group in force after this line (a group line's own name); null before any group. */
  group: string | null;
}

export interface BlankLine extends LineBase {
  kind: 'blank';
}

export interface CommentLine extends LineBase {
  kind: 'comment';
}

export interface GroupLine extends LineBase {
  kind: 'group';
  /** The name the server uses: up to the first `]`, trailing blanks trimmed, leading kept. */
  name: string;
  nameSpan: Span;
}

/** `[name` without `]`: the server stops reading the file ("Wrong group definition"). */
export interface MalformedGroupLine extends LineBase {
  kind: 'malformed-group';
}

export interface DirectiveLine extends LineBase {
  kind: 'directive';
  /** `unknown` covers any other `!word` (and `!INCLUDE`): the server ignores the line. */
  directive: 'include' | 'includedir' | 'unknown';
  /** The path exactly as the server takes it (quirks included); null if unknown or empty. */
  argument: string | null;
  argumentSpan: Span | null;
}

export interface OptionLine extends LineBase {
  kind: 'option';
  /** The name as written, e.g. `Loose-Wait-Timeout`. */
  rawName: string;
  /** Normalized: lowercase, `_` for `-`, no `loose-` prefix. */
  name: string;
  loose: boolean;
  keySpan: Span;
  /** The value after unquoting and escapes; null for a bare `name` (flag form). */
  value: string | null;
  /** The value as written, quotes included: the bytes an editor replaces. */
  valueSpan: Span | null;
  /** The quote that wrapped the whole value, if any. */
  quote: '"' | "'" | null;
  /** From the `#` that starts a trailing comment to the end of the text. */
  commentSpan: Span | null;
}

export type OptionFileLine =
  | BlankLine
  | CommentLine
  | GroupLine
  | MalformedGroupLine
  | DirectiveLine
  | OptionLine;

export type ProblemCode =
  | 'byte-order-mark'
  | 'option-before-group'
  | 'malformed-group'
  | 'empty-directive'
  | 'truncated-directive'
  | 'nul-byte'
  | 'long-line'
  | 'empty-option-name'
  | 'bare-carriage-return';

export interface OptionFileProblem {
  /** Physical line number, 1-based. */
  line: number;
  /** Index of the line in `OptionFileDoc.lines`. */
  index: number;
  code: ProblemCode;
  /** Plain words, with the server's own message where it has one. */
  reason: string;
  /** The server stops reading the file here (and refuses to start if it is a top-level file). */
  fatal: boolean;
}

export interface OptionFileDoc {
  path: string;
  lines: OptionFileLine[];
  problems: OptionFileProblem[];
  /** The file starts with a UTF-8 byte-order mark (kept in line 1's text). */
  byteOrderMark: boolean;
  /** The ending most lines use, for lines an editor adds. */
  lineEnding: '\n' | '\r\n';
}
