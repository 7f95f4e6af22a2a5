import type { Output } from '../io.ts';
import type { WatchView } from './view.ts';

/**
 * JSON.stringify escapes C0 controls but leaves DEL, the C1 controls (U+0080-U+009F, which some
 * terminals obey as escape sequences), the line separators and the bidirectional overrides as
 * they are; they only occur inside strings, where `\uXXXX` means the same to every JSON parser.
 */
const RAW_IN_JSON = /[\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

function ndjsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(RAW_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/** `--json`: one object per line (tick, disconnected, summary), written as each happens. */
export function ndjsonView(out: Output): WatchView {
  const line = (value: unknown) => out.write(ndjsonLine(value));
  return {
    start() {},
    tick: line,
    disconnected: line,
    retrying() {},
    finish: line,
    close() {},
  };
}
