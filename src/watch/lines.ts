import type { ChalkInstance } from 'chalk';
import type { Output } from '../io.ts';
import {
  churnDetail,
  countersText,
  describeFilters,
  describeInterval,
  gapText,
  lossText,
  paintVerdict,
  retryText,
  summaryLines,
  verdictText,
} from './human.ts';
import type { TickReport } from './report.ts';
import { idList, printableDeep } from './text.ts';
import type { WatchView } from './view.ts';

/** Not a terminal (pipe, file, CI log): one plain line per tick, nothing redrawn. */
export function linesView(out: Output, color: ChalkInstance): WatchView {
  let source = '';
  return {
    start(unsafe) {
      const header = printableDeep(unsafe);
      source = header.source;
      out.write(
        `Watching ${header.server} at ${header.address} as ${header.user} every ${describeInterval(header.intervalMs)}: ` +
          `${describeFilters(header.filters)}, from ${header.source}, leaving out this watcher (connection ${header.watcherId}).\n`,
      );
      for (const note of header.notes) out.write(`${note}\n`);
    },
    tick(report) {
      // Said once at the start, and again only when it changes (a fallback from performance_schema).
      const changed = report.source !== source;
      source = report.source;
      out.write(`${tickLine(report, color, changed)}\n`);
    },
    disconnected(event) {
      out.write(`${event.at} ${color.yellow(lossText(event.reason))}\n`);
    },
    retrying(attempt, reason, nextInMs) {
      out.write(`${color.yellow(retryText(attempt, reason, nextInMs))}\n`);
    },
    finish(summary) {
      out.write(`${summaryLines(summary, color).join('\n')}\n`);
    },
    close() {},
  };
}

export function tickLine(unsafe: TickReport, color: ChalkInstance, showSource = false): string {
  // User, host and database names are server text: nothing in them may reach the terminal as a control.
  // The connection lists are not on the line: leaving them out keeps a tick of thousands cheap.
  const report = printableDeep({ ...unsafe, connections: [], gone_connections: [] });
  const parts: string[] = [];
  if (report.gap) parts.push(color.yellow(gapText(report.gap)));
  if (showSource) parts.push(`from ${report.source}`);
  parts.push(`${report.ids.length} connection${report.ids.length === 1 ? '' : 's'} [${idList(report.ids)}]`);
  parts.push(`new ${report.new.length ? color.green(idList(report.new)) : 'none'}`);
  const why = [
    ...(report.closed_by_wait_timeout.length
      ? [`closed by wait_timeout: ${idList(report.closed_by_wait_timeout)}`]
      : []),
    ...(report.recycled.length ? [`recycled: ${idList(report.recycled)}`] : []),
  ];
  parts.push(
    `gone ${report.gone.length ? color.red(idList(report.gone)) : 'none'}${why.length ? ` (${why.join('; ')})` : ''}`,
  );
  parts.push(countersText(report));
  if (report.short_lived) parts.push(`${report.short_lived} too short-lived to list`);
  const clients = report.clients.map(
    (client) =>
      `${client.client} ${paintVerdict(color, client.verdict)} ${client.connections}${client.verdict === 'churning' ? ` (${churnDetail(client)})` : ''}`,
  );
  if (clients.length) parts.push(`clients ${clients.join(', ')}`);
  parts.push(`verdict ${verdictText(color, report.verdict, report.other_users_hidden && report.tick > 1)}`);
  return `${report.at} tick ${report.tick}: ${parts.join('; ')}`;
}
