/**
 * The option-file model works on "byte strings": a Buffer decoded as latin1, so that every
 * character is exactly one byte and any file (UTF-8, latin1, broken) maps back unchanged.
 */

/** A Buffer as a byte string: one character per byte, lossless. */
export function bytesToByteString(bytes: Buffer): string {
  return bytes.toString('latin1');
}

/** A byte string back to the bytes it stands for. */
export function byteStringToBytes(byteString: string): Buffer {
  return Buffer.from(byteString, 'latin1');
}

/**
 * What a person meant by a byte string: option files are UTF-8 in practice, so a value such as
 * a password is decoded as UTF-8 before it leaves the model (invalid bytes become U+FFFD).
 */
export function byteStringToText(byteString: string): string {
  return Buffer.from(byteString, 'latin1').toString('utf8');
}

/** Text a person typed, as the byte string the file will hold (UTF-8). */
export function textToByteString(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/**
 * The server's notion of white space: `my_isspace(&my_charset_latin1, c)`. Checked against
 * my_print_defaults for every byte: TAB, LF, VT, FF, CR, space and latin1 NBSP (0xA0).
 */
export function isServerSpace(code: number): boolean {
  return (code >= 0x09 && code <= 0x0d) || code === 0x20 || code === 0xa0;
}
