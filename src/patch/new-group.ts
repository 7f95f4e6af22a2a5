import {
  byteStringToBytes,
  groupMatches,
  type OptionFileDoc,
  parseOptionFile,
  serialize,
} from '../optionfile/index.ts';

/**
 * Adds `[group]` at the end of a file, after a blank line, with the file's line ending, and
 * returns the new doc and the header's line index. Bytes before the end stay as they are; a
 * last line without newline gets one, except a directive: the server drops the last byte of a
 * final `!include` line without newline, so adding one would change which file it reads.
 */
export function appendGroup(doc: OptionFileDoc, group: string): { doc: OptionFileDoc; headerIndex: number } {
  const last = doc.lines.at(-1);
  if (last?.eol === '' && last.kind === 'directive') {
    throw new Error(
      `line ${last.number} is an !${last.directive} without a newline at the end of the file; adding a line after it would change which file the server includes (fix that line first)`,
    );
  }
  let text = serialize(doc).toString('latin1');
  if (last?.eol === '') text += doc.lineEnding;
  if (last !== undefined && last.kind !== 'blank') text += doc.lineEnding;
  text += `[${group}]${doc.lineEnding}`;
  const edited = parseOptionFile(byteStringToBytes(text), doc.path);
  const headerIndex = edited.lines.length - 1;
  const header = edited.lines[headerIndex];
  if (header?.kind !== 'group' || !groupMatches(header.name, group)) {
    throw new Error(`adding [${group}] at the end of ${doc.path} would not be read as that group`);
  }
  return { doc: edited, headerIndex };
}
