/** Intervals as people type them: `2` or `2s`, `500ms`, `0.5s`, `1m`, `1h`; in milliseconds. */
const UNITS: Record<string, number> = { ms: 1, '': 1000, s: 1000, m: 60_000, h: 3_600_000 };

export function parseInterval(text: string): number | Error {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!match) {
    return new Error(
      `"${text}" is not a length of time: give seconds (2, 0.5) or a number with ms, s, m or h (500ms, 30s, 5m).`,
    );
  }
  const ms = Math.round(Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1000));
  if (!Number.isSafeInteger(ms)) return new Error(`"${text}" is far too long.`);
  return ms;
}
