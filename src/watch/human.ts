import type { ChalkInstance } from 'chalk';
import type { ClientView, Filters, GapView, SummaryReport, TickReport } from './report.ts';
import { printable, printableDeep, rate } from './text.ts';
import type { Verdict } from './verdict.ts';

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** What the views say once, before the first tick. */
export interface WatchHeader {
  /** "MariaDB 10.11.19". */
  server: string;
  address: string;
  user: string;
  source: string;
  filters: Filters;
  intervalMs: number;
  watcherId: number;
  /** Things the person should know, as sentences (e.g. a missing PROCESS privilege). */
  notes: string[];
}

export function paintVerdict(color: ChalkInstance, verdict: Verdict): string {
  switch (verdict) {
    case 'stable':
      return color.green(verdict);
    case 'churning':
      return color.red(verdict);
    default:
      return color.dim(verdict);
  }
}

export function describeFilters(filters: Filters): string {
  const parts = [
    ...filters.user.map((value) => `user=${value}`),
    ...filters.db.map((value) => `db=${value}`),
    ...filters.host.map((value) => `host=${value}`),
  ];
  return parts.length ? `filter ${parts.join(' ')}` : 'all clients';
}

export function describeInterval(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

export function countersText(tick: TickReport): string {
  return [
    `Connections/s ${rate(tick.rates.connections_per_second)}`,
    `Threads_created/s ${rate(tick.rates.threads_created_per_second)}`,
    `Aborted_clients/s ${rate(tick.rates.aborted_clients_per_second)}`,
    `Threads_connected ${tick.threads_connected ?? '-'}`,
  ].join(', ');
}

export function gapText(gap: GapView): string {
  return `gap: lost the connection (${printable(gap.reason)}), reconnected in ${gap.seconds.toFixed(1)} s after ${plural(gap.attempts, 'attempt')}${gap.server_restarted ? '; the server had restarted' : ''}`;
}

export function lossText(reason: string): string {
  return `Lost the connection: ${printable(reason)}. Reconnecting; the counts continue.`;
}

export function retryText(attempt: number, reason: string, nextInMs: number): string {
  return `Reconnect attempt ${attempt} failed: ${printable(reason).replace(/\.$/, '')}. Trying again in ${(nextInMs / 1000).toFixed(1)} s.`;
}

/** The human summary printed when the watch stops (screen and plain lines alike). */
export function summaryLines(report: SummaryReport, color: ChalkInstance): string[] {
  // Client names are server text: nothing in them may reach the terminal as a control.
  const summary = printableDeep(report);
  const lines: string[] = [];
  const gaps = summary.gaps
    ? `; ${plural(summary.gaps, 'gap')} (${summary.gap_seconds} s spent reconnecting)${summary.server_restarts ? `, ${summary.server_restarts} server restart${summary.server_restarts === 1 ? '' : 's'} (${plural(summary.gone_by_server_restart, 'connection')} ended with it)` : ''}`
    : '';
  lines.push(
    `${color.bold('Summary')}: ${summary.ticks} tick${summary.ticks === 1 ? '' : 's'} over ${summary.duration_seconds} s, ` +
      `${summary.unique_ids} unique connection ids, ${summary.new_total} new, ${summary.gone_total} gone${goneDetail(summary.recycled_total, summary.closed_by_wait_timeout)}${gaps}.`,
  );
  lines.push(
    `Server counters over the watch: ${plural(summary.counters.connections, 'new connection')} (${rate(summary.rates.connections_per_second)}/s), ` +
      `${plural(summary.counters.threads_created, 'thread')} created, ${plural(summary.counters.aborted_clients, 'aborted client')}.`,
  );
  for (const client of summary.clients) lines.push(`  ${clientLine(client, color)}`);
  lines.push(`Verdict: ${paintVerdict(color, summary.verdict)}. ${verdictAdvice(summary)}`);
  return lines;
}

/** " (2 recycled, 1 closed by wait_timeout)", or nothing. */
function goneDetail(recycled: number, closed: number): string {
  const parts = [
    ...(recycled ? [`${recycled} recycled`] : []),
    ...(closed ? [`${closed} closed by wait_timeout`] : []),
  ];
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function clientLine(client: ClientView, color: ChalkInstance): string {
  const closed = client.closed_by_wait_timeout
    ? `, ${client.closed_by_wait_timeout} closed by wait_timeout`
    : '';
  const churn =
    client.new || client.gone
      ? `; ${client.new} new, ${client.gone} gone (${rate(client.new_per_second)} new/s)${client.recycled ? `, ${client.recycled} recycled` : ''}${closed}`
      : '';
  return `${client.client}: ${paintVerdict(color, client.verdict)}, up to ${client.connections} connection${client.connections === 1 ? '' : 's'} at once${churn}`;
}

function verdictAdvice(summary: SummaryReport): string {
  const churning = summary.clients
    .filter((client) => client.verdict === 'churning')
    .map((client) => client.client);
  const closed = summary.closed_by_wait_timeout
    ? ` ${summary.closed_by_wait_timeout} connection${summary.closed_by_wait_timeout === 1 ? ' was' : 's were'} closed by the server after sitting idle for wait_timeout: the pool keeps idle connections longer than the server allows; retire them sooner (dbcache generate).`
    : '';
  const recycled = summary.recycled_total
    ? ` ${plural(summary.recycled_total, 'connection')} ended after a long life and ${summary.recycled_total === 1 ? 'was' : 'were'} replaced (recycled): a pool retiring connections by age, which is what a well-configured pool does.`
    : '';
  const shortLived = summary.short_lived
    ? ` ${summary.short_lived} connection${summary.short_lived === 1 ? '' : 's'} opened and closed between ticks, too briefly to be listed.`
    : '';
  switch (summary.verdict) {
    case 'stable':
      return `The same connection ids stayed open from tick to tick: the clients keep their connections (pooled).${recycled}${closed}`;
    case 'churning':
      return `Connection ids were replaced after a short life${churning.length ? ` (${churning.join(', ')})` : ''}: clients open new connections instead of keeping them. Pool them (dbcache generate) and watch again.${closed}${shortLived}${recycled}`;
    case 'idle':
      return 'No matching connection was seen: check the filters, or run the application while watching.';
    case 'unknown':
      return 'One sample cannot show churn: watch for at least two ticks (--count 2 or more).';
  }
}
