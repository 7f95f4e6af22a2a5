import type { Output } from '../io.ts';

/** The `--json` views are a public interface: stable key order, two-space indent, one trailing newline. */
export function printJson(stream: Output, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}
