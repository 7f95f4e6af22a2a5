import type { ChalkInstance } from 'chalk';
import type { IO, Output } from '../io.ts';
import { printJson } from './json.ts';
import { widthOf } from './prose.ts';

/**
 * A command's human view: its report drawn with these colors (none for a pipe) and its prose
 * wrapped to `width` columns. Text, or bytes where they must pass unchanged (patch-config).
 */
export type HumanView<R> = (report: R, color: ChalkInstance, width: number) => string | Uint8Array;

/**
 * The one place a report reaches its reader: `--json` prints the model as it is; otherwise
 * the human view is loaded (tables and colors only for people, so --json runs in cron and
 * monitoring never load them) and drawn for the stream it goes to.
 */
export async function printReport<R>(
  io: IO,
  report: R,
  json: boolean,
  loadView: () => Promise<HumanView<R>>,
  out: Output = io.stdout,
): Promise<void> {
  if (json) {
    printJson(out, report);
    return;
  }
  const [view, { colorFor }] = await Promise.all([loadView(), import('./style.ts')]);
  out.write(view(report, colorFor(out, io.env), widthOf(out, io.env)));
}
