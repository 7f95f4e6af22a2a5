import { bytesToByteString } from './bytes.ts';
import { classifyLine, type LineView } from './classify.ts';
import type { LineEnding, OptionFileDoc, OptionFileLine, OptionFileProblem, ProblemCode } from './doc.ts';

/** fgets(buff, 4095, fp) returns at most 4094 bytes; the rest of a longer line comes next. */
export const SERVER_LINE_LIMIT = 4094;

const BYTE_ORDER_MARK = '\xef\xbb\xbf';

/**
 * Parses an option file the way the server reads it, keeping every byte. Never throws: what the
 * server would reject or misread is listed in `problems`.
 *
 * The server reads in fgets() pieces, so a line longer than 4094 bytes becomes several entries
 * in `lines` (all but the last without `eol`, sharing one line number), each parsed as the
 * server parses it.
 */
export function parseOptionFile(bytes: Buffer, path: string): OptionFileDoc {
  const content = bytesToByteString(bytes);
  const lines: OptionFileLine[] = [];
  const problems: OptionFileProblem[] = [];
  const byteOrderMark = content.startsWith(BYTE_ORDER_MARK);
  let group: string | null = null;
  let number = 1;
  let crlfCount = 0;
  let lfCount = 0;

  for (let pos = 0; pos < content.length; ) {
    const newline = content.indexOf('\n', pos);
    const lineEnd = newline === -1 ? content.length : newline + 1;
    const pieceEnd = Math.min(lineEnd, pos + SERVER_LINE_LIMIT);
    const piece = content.slice(pos, pieceEnd);
    const index = lines.length;
    const problem = (code: ProblemCode, reason: string, fatal = false) =>
      problems.push({ line: number, index, code, reason, fatal });

    const startsLine = pos === 0 || content[pos - 1] === '\n';
    if (startsLine && lineEnd - pos > SERVER_LINE_LIMIT) {
      problem(
        'long-line',
        `the line is longer than ${SERVER_LINE_LIMIT} bytes; the server reads the rest of it as a separate line`,
      );
    }
    const nul = piece.indexOf('\0');
    if (nul !== -1)
      problem('nul-byte', 'the line contains a NUL byte; the server ignores the rest of the line after it');
    const view = nul === -1 ? piece : piece.slice(0, nul);
    const { text, eol } = splitEnding(piece);
    if (eol === '\r\n') crlfCount++;
    else if (eol === '\n') lfCount++;
    // A CR inside the line (not the one of a CRLF ending) followed, after any blanks, by more
    // text: the server reads up to the next LF, so that text is part of this line, not a new one.
    if (/\r\s*\S/.test(text)) {
      problem(
        'bare-carriage-return',
        'the line contains a carriage return without a line feed (old Mac line endings); the server reads it all as one line',
      );
    }

    const bomHere = byteOrderMark && pos === 0;
    if (bomHere) {
      problem(
        'byte-order-mark',
        'the file starts with a UTF-8 byte-order mark (BOM), which the server reads as an option without a preceding group',
        true,
      );
    }
    const parsed = classifyLine(view, bomHere ? BYTE_ORDER_MARK.length : 0);
    if (parsed.kind === 'group') group = parsed.name;
    lines.push(toLine(parsed, { number, text, eol, group }));

    if (parsed.kind === 'malformed-group') {
      problem(
        'malformed-group',
        'the group header has no closing "]" (the server says "Wrong group definition")',
        true,
      );
    } else if (parsed.kind === 'directive' && parsed.directive !== 'unknown') {
      if (parsed.argument === null) {
        problem(
          'empty-directive',
          `"!${parsed.directive}" has no path after it (the server says "Wrong '!${parsed.directive}' directive")`,
          true,
        );
      } else if (parsed.truncated) {
        problem(
          'truncated-directive',
          `"!${parsed.directive}" is not followed by a newline, so the server drops its last character and reads "${parsed.argument}"`,
        );
      }
    } else if (parsed.kind === 'option') {
      if (group === null && !bomHere) {
        problem(
          'option-before-group',
          `option "${parsed.rawName}" comes before any [group] header (the server says "Found option without preceding group")`,
          true,
        );
      }
      if (parsed.rawName === '') problem('empty-option-name', 'the option has no name before "="');
    }

    if (piece.endsWith('\n')) number++;
    pos = pieceEnd;
  }

  return { path, lines, problems, byteOrderMark, lineEnding: crlfCount > lfCount ? '\r\n' : '\n' };
}

function splitEnding(piece: string): { text: string; eol: LineEnding } {
  if (piece.endsWith('\r\n')) return { text: piece.slice(0, -2), eol: '\r\n' };
  if (piece.endsWith('\n')) return { text: piece.slice(0, -1), eol: '\n' };
  return { text: piece, eol: '' };
}

interface LineBytes {
  number: number;
  text: string;
  eol: LineEnding;
  group: string | null;
}

/** Spans from the server's view are clamped to `text`: trimming may have run into the ending. */
function toLine(parsed: LineView, base: LineBytes): OptionFileLine {
  const clamp = (at: number) => Math.min(at, base.text.length);
  switch (parsed.kind) {
    case 'blank':
    case 'comment':
    case 'malformed-group':
      return { kind: parsed.kind, ...base };
    case 'group':
      return { kind: 'group', ...base, name: parsed.name, nameSpan: parsed.nameSpan };
    case 'directive':
      return {
        kind: 'directive',
        ...base,
        directive: parsed.directive,
        argument: parsed.argument,
        argumentSpan: parsed.argumentSpan,
      };
    case 'option':
      return {
        kind: 'option',
        ...base,
        rawName: parsed.rawName,
        name: parsed.name,
        loose: parsed.loose,
        keySpan: parsed.keySpan,
        value: parsed.value,
        valueSpan: parsed.valueSpan && {
          start: clamp(parsed.valueSpan.start),
          end: clamp(parsed.valueSpan.end),
        },
        quote: parsed.quote,
        commentSpan: parsed.commentAt === null ? null : { start: parsed.commentAt, end: base.text.length },
      };
  }
}
