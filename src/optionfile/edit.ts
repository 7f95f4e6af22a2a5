/**
 * Lossless edits: change one option's value bytes or insert one option line, leave every other
 * byte alone. Each edit returns a new doc, re-parsed so spans and problems stay true, and checks
 * that the server will read back exactly the value asked for.
 */
import { byteStringToBytes, textToByteString } from './bytes.ts';
import type { OptionFileDoc, OptionFileLine, OptionLine } from './doc.ts';
import { parseOptionFile } from './parse.ts';

type Quote = '"' | "'";

/**
 * How to write `value` (text) in an option file so the server reads it back unchanged. Plain
 * when possible; quoted when the value has a `#`, a quote, or white space at either end, since
 * the server strips those. `quote` is the style to use if quoting is needed (or wanted).
 */
export function formatOptionValue(value: string, quote: Quote | null = null): string {
  const bytes = textToByteString(value);
  if (bytes.includes('\0')) throw new Error('An option value cannot contain a NUL byte.');
  // JavaScript's \s covers the server's white space, latin1 NBSP included.
  const needsQuotes = /[#"']|^\s|\s$/.test(bytes);
  const wrapper = quote ?? (needsQuotes ? '"' : null);
  let escaped = bytes
    .replaceAll('\\', '\\\\')
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r')
    .replaceAll('\t', '\\t')
    .replaceAll('\b', '\\b');
  if (wrapper !== null) escaped = escaped.replaceAll(wrapper, `\\${wrapper}`);
  return wrapper === null ? escaped : `${wrapper}${escaped}${wrapper}`;
}

/**
 * Sets the value of the option line at `index`, keeping its name as spelled, its spacing, its
 * quote style and its trailing comment. A bare flag (`skip-name-resolve`) gets `=value`.
 */
export function setOptionValue(doc: OptionFileDoc, index: number, value: string): OptionFileDoc {
  const line = optionAt(doc, index);
  let text: string;
  if (line.valueSpan === null) {
    const written = formatOptionValue(value);
    text = `${line.text.slice(0, line.keySpan.end)}=${written}${line.text.slice(line.keySpan.end)}`;
  } else {
    const written = formatOptionValue(value, line.quote);
    text = line.text.slice(0, line.valueSpan.start) + written + line.text.slice(line.valueSpan.end);
  }
  const edited = replaceLines(doc, index, 1, [{ text, eol: line.eol }]);
  assertReadsBack(edited, index, line.rawName, value);
  return edited;
}

/**
 * Inserts `name = value` after the line at `afterIndex`, laid out like the nearest option line
 * above it in the same group, with the file's line ending. After a last line without newline,
 * that line gets one and the new line becomes the last line without one, except when the last
 * line is a directive: a newline would change which file the server includes, so that refuses.
 */
export function insertOptionLine(
  doc: OptionFileDoc,
  afterIndex: number,
  name: string,
  value: string,
): OptionFileDoc {
  const before = doc.lines[afterIndex];
  if (before === undefined) throw new RangeError(`${doc.path} has no line at index ${afterIndex}.`);
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`"${name}" is not an option name.`);
  const isLast = afterIndex === doc.lines.length - 1;
  if (before.eol === '' && !isLast)
    throw new Error(`Cannot split line ${before.number}: it is longer than the server reads.`);
  if (before.eol === '' && before.kind === 'directive') {
    throw new Error(
      `Cannot add a line after line ${before.number} of ${doc.path}: it is a directive without a newline.`,
    );
  }
  const text = layoutOption(nearestOptionAbove(doc, afterIndex), name, formatOptionValue(value));
  const edited =
    before.eol === ''
      ? replaceLines(doc, afterIndex, 1, [
          { text: before.text, eol: doc.lineEnding },
          { text, eol: '' },
        ])
      : replaceLines(doc, afterIndex + 1, 0, [{ text, eol: doc.lineEnding }]);
  assertReadsBack(edited, afterIndex + 1, name, value);
  return edited;
}

function optionAt(doc: OptionFileDoc, index: number): OptionLine {
  const line = doc.lines[index];
  if (line?.kind !== 'option') throw new Error(`Line index ${index} of ${doc.path} is not an option.`);
  return line;
}

function replaceLines(
  doc: OptionFileDoc,
  start: number,
  deleteCount: number,
  lines: readonly { text: string; eol: OptionFileLine['eol'] }[],
): OptionFileDoc {
  const pieces = doc.lines.map((line) => line.text + line.eol);
  pieces.splice(start, deleteCount, ...lines.map((line) => line.text + line.eol));
  return parseOptionFile(byteStringToBytes(pieces.join('')), doc.path);
}

/** An edit that the server would read differently from what was asked is a bug here: stop. */
function assertReadsBack(doc: OptionFileDoc, index: number, rawName: string, value: string): void {
  const line = doc.lines[index];
  const expected = textToByteString(value);
  if (line?.kind !== 'option' || line.rawName !== rawName || line.value !== expected || line.group === null) {
    throw new Error(`Editing ${doc.path} would not give ${rawName}=${value} at line index ${index}.`);
  }
}

function nearestOptionAbove(doc: OptionFileDoc, index: number): OptionLine | undefined {
  for (let at = index; at >= 0; at--) {
    const line = doc.lines[at];
    if (line?.kind === 'group') return undefined;
    if (line?.kind === 'option' && line.valueSpan !== null) return line;
  }
  return undefined;
}

/** `name = value`, or aligned like its neighbour (`key<spaces>= value`, `key\t= value`, `key=value`). */
function layoutOption(neighbour: OptionLine | undefined, rawName: string, written: string): string {
  if (neighbour?.valueSpan == null) return `${rawName} = ${written}`;
  const { text, keySpan, valueSpan } = neighbour;
  const indent = text.slice(0, keySpan.start);
  const separator = text.slice(keySpan.end, valueSpan.start);
  const equals = separator.indexOf('=');
  const [padBefore, padAfter] = [separator.slice(0, equals), separator.slice(equals + 1)];
  if (/^ {2,}$/.test(padBefore)) {
    const column = keySpan.end + padBefore.length;
    const pad = ' '.repeat(Math.max(1, column - keySpan.start - rawName.length));
    return `${indent}${rawName}${pad}=${padAfter}${written}`;
  }
  return `${indent}${rawName}${padBefore}=${padAfter}${written}`;
}
