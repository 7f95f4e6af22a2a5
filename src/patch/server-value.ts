/**
 * What the server makes of a timeout written in an option file, the way MariaDB's my_getopt
 * reads an unsigned option (mysys/my_getopt.c: getopt_ull(), eval_num_suffix_ull(),
 * eval_num_suffix(), getopt_ull_limit_value()):
 *
 * - a value starting with `-` is refused ("Incorrect unsigned value");
 * - then C strtoull(value, &end, 10): ASCII white space (TAB, LF, VT, FF, CR, space) and one
 *   `+` or `-` are skipped, then decimal digits; more than 2^64-1 is refused ("Incorrect
 *   integer value"); a `-` after white space negates modulo 2^64; no digits at all gives 0
 *   with `end` at the very start of the value (so `k` is 0 times 1024, and `+` is an unknown
 *   suffix `+`);
 * - only the one character at `end` counts as suffix: none, or K/M/G/T/P/E in either case
 *   (powers of 1024), anything else is refused ("Unknown suffix"); what follows it is ignored
 *   (`2kx` is 2048);
 * - the product wraps at 2^64 (`18014398509481985k` is 1024);
 * - then the variable's range: above the maximum is lowered to it, below 1 raised to 1.
 *
 * Every rule is checked against `mariadbd --verbose --help` (test/patch/server-value.test.ts
 * compares random values with it). MySQL's my_getopt.cc reads odd values differently (a
 * negative value becomes the minimum, an overflowing suffix is refused), and no MySQL server
 * is at hand to check it against: for MySQL, or when the flavor is not known, only values
 * both read alike (digits, an optional leading `+` and one suffix, no overflow) have a known
 * reading; any other is "cannot tell".
 */
import { MAX_TIMEOUT, MIN_TIMEOUT } from '../duration.ts';
import type { Flavor } from '../optionfile/index.ts';

export type TimeoutReading =
  | {
      ok: true;
      seconds: number;
      /** Why the server's number is not simply the written one, if it is not. */
      adjusted: string | null;
    }
  | {
      ok: false;
      /** `refused`: the server does not start; `unsure`: dbcache cannot tell what it reads. */
      kind: 'refused' | 'unsure';
      reason: string;
    };

const SUFFIXES: Record<string, bigint> = {
  k: 1n << 10n,
  m: 1n << 20n,
  g: 1n << 30n,
  t: 1n << 40n,
  p: 1n << 50n,
  e: 1n << 60n,
};

const WRAP = 1n << 64n;
const ULL_MAX = WRAP - 1n;

/** C isspace() in the "C" locale: ASCII only (a UTF-8 NBSP or BOM is not white space). */
const isCSpace = (byte: number) => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
const isDigit = (byte: number) => byte >= 0x30 && byte <= 0x39;

/** Written so that MariaDB and MySQL agree on it: `600`, `+600`, `2k`. */
const PORTABLE = /^\+?[0-9]+[kmgtpe]?$/i;

/**
 * `value` as the option-file parser got it (unquoted, UTF-8 text); null for a bare
 * `wait_timeout` line. `flavor`: whose rules apply; null when not known (both must agree).
 */
export function readTimeoutValue(
  value: string | null,
  max = MAX_TIMEOUT,
  flavor: Flavor | null = null,
): TimeoutReading {
  if (value === null) {
    return {
      ok: false,
      kind: 'refused',
      reason: 'the option has no value (the server says "requires an argument")',
    };
  }
  const mariadb = mariadbReads(value, max);
  if (flavor === 'mariadb') return mariadb;
  const portable = PORTABLE.test(value) && mariadb.ok && !wraps(value);
  if (portable || (!mariadb.ok && PORTABLE.test(value))) return mariadb;
  const who = flavor === 'mysql' ? 'MySQL' : 'the server (MariaDB and MySQL differ here)';
  return {
    ok: false,
    kind: 'unsure',
    reason: `dbcache cannot tell how ${who} reads "${value}"; write a plain number of seconds`,
  };
}

function wraps(value: string): boolean {
  const match = /^\+?([0-9]+)([kmgtpe]?)$/i.exec(value);
  if (!match) return false;
  return BigInt(match[1] as string) * (SUFFIXES[(match[2] as string).toLowerCase()] ?? 1n) > ULL_MAX;
}

function mariadbReads(value: string, max: number): TimeoutReading {
  const bytes = Buffer.from(value, 'utf8');
  const refused = (reason: string): TimeoutReading => ({ ok: false, kind: 'refused', reason });
  if (bytes[0] === 0x2d) {
    return refused(`"${value}" is negative (the server says "Incorrect unsigned value" and does not start)`);
  }
  let at = 0;
  while (at < bytes.length && isCSpace(bytes[at] as number)) at++;
  const negative = bytes[at] === 0x2d;
  if (bytes[at] === 0x2b || negative) at++;
  const digitsStart = at;
  while (at < bytes.length && isDigit(bytes[at] as number)) at++;
  let number = 0n;
  let end = 0;
  if (at > digitsStart) {
    number = BigInt(bytes.subarray(digitsStart, at).toString('latin1'));
    if (number > ULL_MAX) {
      return refused(
        `"${value}" is more than 2^64-1 (the server says "Incorrect integer value" and does not start)`,
      );
    }
    if (negative) number = (WRAP - number) % WRAP;
    end = at;
  }
  const suffix = end < bytes.length ? String.fromCharCode(bytes[end] as number) : '';
  const multiplier = suffix === '' ? 1n : SUFFIXES[suffix.toLowerCase()];
  if (multiplier === undefined) {
    return refused(
      `"${value}" is not a number the server accepts (it says "Unknown suffix" and does not start)`,
    );
  }
  const written = (number * multiplier) % WRAP;
  const seconds = written < BigInt(MIN_TIMEOUT) ? MIN_TIMEOUT : written > BigInt(max) ? max : Number(written);
  const plain = /^\+?[0-9]+[kmgtpe]?$/i.test(value) && number * multiplier <= ULL_MAX;
  let adjusted: string | null = null;
  if (!plain) adjusted = `the server reads "${value}" as ${seconds}`;
  else if (written < BigInt(MIN_TIMEOUT)) adjusted = `the server raises "${value}" to ${MIN_TIMEOUT}`;
  else if (written > BigInt(max)) adjusted = `the server lowers "${value}" to its maximum, ${max}`;
  return { ok: true, seconds, adjusted };
}
