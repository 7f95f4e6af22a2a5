/**
 * Lengths of time as people type them: `120`, `120s`, `2m`, `1h`, `1d`, and compounds from the
 * largest unit down, `2h30m`, `1m30s`, `1h 30m`. The one parser for every duration dbcache takes
 * (timeouts in whole seconds, watch intervals in milliseconds).
 */
const SECOND_UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
const INTERVAL_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** The server's range for wait_timeout and interactive_timeout (sys_vars.cc: 1 .. LONG_TIMEOUT). */
export const MIN_TIMEOUT = 1;
export const MAX_TIMEOUT = 31_536_000;
/** On Windows servers the ceiling is INT_MAX32/1000. */
export const MAX_TIMEOUT_WINDOWS = 2_147_483;

/**
 * Milliseconds, or why not: 'garbage' when the text is no length of time, or a sentence for a
 * compound that could be read two ways (`1h30`: minutes or seconds?) or is out of order.
 */
function parseSpan(text: string, units: Record<string, number>, fractions: boolean): number | string {
  const trimmed = text.trim();
  const number = fractions ? '\\d+(?:\\.\\d+)?' : '\\d+';
  const names = Object.keys(units)
    .sort((a, b) => b.length - a.length)
    .join('|');
  const term = new RegExp(`(${number})(?![\\d.])\\s*(${names})?(?![a-z])\\s*`, 'iy');
  const parts: Array<{ value: string; unit: string | undefined }> = [];
  term.lastIndex = 0;
  while (term.lastIndex < trimmed.length) {
    const match = term.exec(trimmed);
    if (!match) return 'garbage';
    parts.push({ value: match[1] as string, unit: match[2]?.toLowerCase() });
  }
  if (parts.length === 0) return 'garbage';
  if (parts.length === 1) {
    const [only] = parts as [{ value: string; unit: string | undefined }];
    return Math.round(Number(only.value) * (units[only.unit ?? 's'] ?? 1000));
  }
  const bare = parts.findIndex((part) => part.unit === undefined);
  if (bare >= 0) {
    const before = parts
      .slice(0, bare)
      .map((part) => `${part.value}${part.unit}`)
      .join('');
    const smaller = Object.keys(units).filter(
      (unit) => (units[unit] ?? 0) < (units[parts[bare - 1]?.unit ?? ''] ?? 0),
    );
    const readings = smaller.slice(0, 2).map((unit) => `${before}${parts[bare]?.value}${unit}`);
    return `"${text}" could be read more than one way: give every number its unit${readings.length ? ` (${readings.join(' or ')})` : ''}.`;
  }
  let total = 0;
  let previous = Number.POSITIVE_INFINITY;
  for (const part of parts) {
    const size = units[part.unit as string] as number;
    if (size >= previous) {
      return `"${text}" is not a length of time: give each unit once, from the largest down (2h30m, 1m30s).`;
    }
    previous = size;
    total += Number(part.value) * size;
  }
  return Math.round(total);
}

/** Whole seconds, or an Error whose message says what is wrong with the text. */
export function parseDuration(text: string): number | Error {
  const ms = parseSpan(text, SECOND_UNITS, false);
  if (ms === 'garbage') {
    return new Error(
      `"${text}" is not a duration: give whole seconds (120) or a number with s, m, h or d (120s, 2m, 1h, 2h30m).`,
    );
  }
  if (typeof ms === 'string') return new Error(ms);
  const seconds = ms / 1000;
  if (!Number.isSafeInteger(ms)) return new Error(`"${text}" is far too large a duration.`);
  return seconds;
}

/** Intervals as people type them: `2` or `2s`, `500ms`, `0.5s`, `1m`, `1h`, `1m30s`; in milliseconds. */
export function parseInterval(text: string): number | Error {
  const ms = parseSpan(text, INTERVAL_UNITS, true);
  if (ms === 'garbage') {
    return new Error(
      `"${text}" is not a length of time: give seconds (2, 0.5) or a number with ms, s, m or h (500ms, 30s, 5m, 1m30s).`,
    );
  }
  if (typeof ms === 'string') return new Error(ms);
  if (!Number.isSafeInteger(ms)) return new Error(`"${text}" is far too long.`);
  return ms;
}

/** 28800 → "8 h", 150 → "2 min 30 s": for sentences; tables show the seconds too. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)} ${unit}`);
      rest %= size;
    }
  }
  if (rest) parts.push(`${rest} s`);
  return parts.join(' ');
}
