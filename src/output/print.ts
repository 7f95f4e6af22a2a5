import type { ChalkInstance } from 'chalk';
import type { IO, Output } from '../io.ts';
import type { Format } from './format.ts';
import { printJson } from './json.ts';
import type { MetricFamily } from './openmetrics.ts';
import { widthOf } from './width.ts';

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

/**
 * printReport for the commands that also speak OpenMetrics (check-timeout, probe-idle): the
 * gauges are one more view of the same report, loaded only when asked for.
 */
export async function printFormatted<R>(
  io: IO,
  report: R,
  format: Format,
  views: { human: () => Promise<HumanView<R>>; metrics: () => Promise<(report: R) => MetricFamily[]> },
): Promise<void> {
  if (format !== 'openmetrics') return printReport(io, report, format === 'json', views.human);
  const [{ renderOpenMetrics }, metrics] = await Promise.all([import('./openmetrics.ts'), views.metrics()]);
  io.stdout.write(renderOpenMetrics(metrics(report)));
}
