/** Timeouts as people type them (`120`, `120s`, `2m`, `1h`, `1d`), in whole seconds. */
const UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** The server's range for wait_timeout and interactive_timeout (sys_vars.cc: 1 .. LONG_TIMEOUT). */
export const MIN_TIMEOUT = 1;
export const MAX_TIMEOUT = 31_536_000;
/** On Windows servers the ceiling is INT_MAX32/1000. */
export const MAX_TIMEOUT_WINDOWS = 2_147_483;

/** Whole seconds, or an Error whose message says what is wrong with the text. */
export function parseDuration(text: string): number | Error {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(text);
  if (!match) {
    return new Error(
      `"${text}" is not a duration: give whole seconds (120) or a number with s, m, h or d (120s, 2m, 1h).`,
    );
  }
  const seconds = Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1);
  if (!Number.isSafeInteger(seconds)) return new Error(`"${text}" is far too large a duration.`);
  return seconds;
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
