import type { Output } from '../io.ts';
import type { WatchView } from './view.ts';

/** `--json`: one object per line (tick, disconnected, summary), written as each happens. */
export function ndjsonView(out: Output): WatchView {
  const line = (value: unknown) => out.write(`${JSON.stringify(value)}\n`);
  return {
    start() {},
    tick: line,
    disconnected: line,
    retrying() {},
    finish: line,
    close() {},
  };
}
