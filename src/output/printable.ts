/**
 * Server text made safe for a terminal: the watch's views and every error message print it
 * (user, host, database names and the server's own messages are chosen by others).
 */

/**
 * What the terminal must never receive from the server: C0 and C1 controls and DEL (escape
 * sequences that move the cursor, clear the screen or set the title), the line and paragraph
 * separators, the bidirectional overrides that reorder what is shown, and lone surrogates.
 */
const UNPRINTABLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it matches
  /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it matches
const HAS_UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]/;

/**
 * Server text (user, host, database and command names: anyone who may create a database or an
 * account chooses them) as it may be shown: controls become visible escapes (`\x1b`, `\u202e`),
 * a lone surrogate becomes U+FFFD. Text without any comes back as it is.
 */
export function printable(text: string): string {
  if (!HAS_UNPRINTABLE.test(text)) return text;
  return text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) return '\ufffd';
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
