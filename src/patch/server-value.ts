/**
 * What the server makes of a timeout written in an option file: my_getopt's eval_num_suffix()
 * (decimal, optional sign, one K/M/G/T/P/E suffix in powers of 1024) and then the variable's
 * range, clamped with a warning. Checked with `mariadbd --verbose --help`: `2k` → 2048, `2m` →
 * 2097152, `+7` → 7, `` → 1, `99999999999` → 31536000, `1e` → 31536000.
 */
import { MAX_TIMEOUT, MIN_TIMEOUT } from '../duration.ts';

export type TimeoutReading =
  | {
      ok: true;
      seconds: number /** Why the server changes the written number, if it does. */;
      adjusted: string | null;
    }
  | { ok: false; reason: string };

const SUFFIXES: Record<string, bigint> = {
  k: 1n << 10n,
  m: 1n << 20n,
  g: 1n << 30n,
  t: 1n << 40n,
  p: 1n << 50n,
  e: 1n << 60n,
};

/** `value` as the option parser got it (unquoted); null for a bare `wait_timeout` line. */
export function readTimeoutValue(value: string | null, max = MAX_TIMEOUT): TimeoutReading {
  if (value === null)
    return { ok: false, reason: 'the option has no value (the server says "requires an argument")' };
  const match = /^\s*([+-]?)(\d*)([kmgtpe]?)$/i.exec(value);
  if (!match || (match[2] === '' && match[3] !== '')) {
    return {
      ok: false,
      reason: `"${value}" is not a number the server accepts (it says "Unknown suffix" and does not start)`,
    };
  }
  if (match[1] === '-' && /[1-9]/.test(match[2] ?? '')) {
    return { ok: false, reason: `"${value}" is negative (the server says "Incorrect unsigned value")` };
  }
  const written = BigInt(match[2] || '0') * (SUFFIXES[(match[3] ?? '').toLowerCase()] ?? 1n);
  if (written < BigInt(MIN_TIMEOUT)) {
    return { ok: true, seconds: MIN_TIMEOUT, adjusted: `the server raises "${value}" to ${MIN_TIMEOUT}` };
  }
  if (written > BigInt(max)) {
    return { ok: true, seconds: max, adjusted: `the server lowers "${value}" to its maximum, ${max}` };
  }
  return { ok: true, seconds: Number(written), adjusted: null };
}
