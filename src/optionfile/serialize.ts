import { byteStringToBytes } from './bytes.ts';
import type { OptionFileDoc } from './doc.ts';

/** The file's bytes: every line's text and ending, in order. A parsed file comes back unchanged. */
export function serialize(doc: OptionFileDoc): Buffer {
  return byteStringToBytes(doc.lines.map((line) => line.text + line.eol).join(''));
}
