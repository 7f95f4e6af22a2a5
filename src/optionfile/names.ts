/** How the servers compare option names and group names. */

export interface NormalizedOptionName {
  /** Lowercase, `-` replaced by `_`, without a `loose-` prefix: `wait_timeout`. */
  name: string;
  /** The name carried a `loose-`/`loose_` prefix (any case): unknown options only warn. */
  loose: boolean;
}

const LOOSE_PREFIX = /^loose[-_]/i;

/**
 * `Loose-Wait-Timeout` → `{ name: 'wait_timeout', loose: true }`. my_getopt compares names with
 * ASCII `tolower` and `-` = `_`; other prefixes (`skip-`, `maximum-`, …) change the meaning, so
 * they stay part of the name and never match the plain option.
 */
export function normalizeOptionName(rawName: string): NormalizedOptionName {
  const loose = LOOSE_PREFIX.test(rawName);
  const bare = loose ? rawName.slice('loose-'.length) : rawName;
  return { name: asciiLower(bare).replaceAll('-', '_'), loose };
}

function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/**
 * `[MySQLd]` is `[mysqld]`: find_type(…, FIND_TYPE_NO_PREFIX) compares whole names after latin1
 * `toupper`. Both names are byte strings.
 */
export function groupMatches(groupName: string, wanted: string): boolean {
  return latin1Upper(groupName) === latin1Upper(wanted);
}

/** Is `groupName` one of `groups`? An empty group name (`[]`) matches nothing. */
export function isGroupIn(groupName: string, groups: readonly string[]): boolean {
  return groupName !== '' && groups.some((wanted) => groupMatches(groupName, wanted));
}

function latin1Upper(text: string): string {
  let upper = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const isLower = (code >= 0x61 && code <= 0x7a) || (code >= 0xe0 && code <= 0xfe && code !== 0xf7);
    upper += isLower ? String.fromCharCode(code - 0x20) : text[i];
  }
  return upper;
}
