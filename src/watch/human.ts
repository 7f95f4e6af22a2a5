import type { ChalkInstance } from 'chalk';
import { printable } from '../output/printable.ts';
import type { ClientView, Filters, GapView, SummaryReport, TickReport } from './report.ts';
import { printableDeep, rate } from './text.ts';
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

/** Its churn is ids replaced after a short life (not only the ones the server closed for idling). */
const replacesConnections = (client: ClientView): boolean =>
  client.new > 0 && client.gone - client.recycled - client.closed_by_wait_timeout > 0;

/**
 * Why a churning client churns, for the one-line views: its rate of new ids ("1.00 new/s") when it
 * replaces connections, the idle closes ("1 closed by wait_timeout"), or both.
 */
export function churnDetail(client: ClientView): string {
  const closed = client.closed_by_wait_timeout
    ? `${client.closed_by_wait_timeout} closed by wait_timeout`
    : '';
  if (closed && !replacesConnections(client)) return closed;
  return `${rate(client.new_per_second)} new/s${closed && `, ${closed}`}`;
}

/** The tick's verdict as the one-line views say it: "unknown" says why when other users are hidden. */
export function verdictText(color: ChalkInstance, verdict: Verdict, otherUsersHidden: boolean): string {
  return `${paintVerdict(color, verdict)}${verdict === 'unknown' && otherUsersHidden ? ' (other users hidden: no PROCESS privilege)' : ''}`;
}

/** "1 connection of app@10.0.0.5 was closed …", or, over several clients, the count per client. */
function closedSentence(summary: SummaryReport): string {
  const total = summary.closed_by_wait_timeout;
  if (!total) return '';
  const clients = summary.clients.filter((client) => client.closed_by_wait_timeout > 0);
  const who =
    clients.length === 1
      ? `${plural(total, 'connection')} of ${clients[0]?.client} ${total === 1 ? 'was' : 'were'}`
      : `${plural(total, 'connection')} ${total === 1 ? 'was' : 'were'}`;
  const perClient =
    clients.length > 1
      ? ` (${clients.map((client) => `${client.client} ${client.closed_by_wait_timeout}`).join(', ')})`
      : '';
  return `${who} closed by the server after sitting idle for wait_timeout${perClient}: the pool keeps idle connections longer than the server allows, and the next query on such a connection gets error 2006 (server has gone away) or 2013 unless the pool tests it first; retire idle connections sooner (dbcache generate).`;
}

function verdictAdvice(summary: SummaryReport): string {
  const replacing = summary.clients.filter(replacesConnections).map((client) => client.client);
  const closed = closedSentence(summary);
  const recycled = summary.recycled_total
    ? ` ${plural(summary.recycled_total, 'connection')} ended after a long life and ${summary.recycled_total === 1 ? 'was' : 'were'} replaced (recycled): a pool retiring connections by age, which is what a well-configured pool does.`
    : '';
  const shortLived = summary.short_lived
    ? ` ${summary.short_lived} connection${summary.short_lived === 1 ? '' : 's'} opened and closed between ticks, too briefly to be listed.`
    : '';
  switch (summary.verdict) {
    case 'stable':
      return `The same connection ids stayed open from tick to tick: the clients keep their connections (pooled).${recycled}${closed && ` ${closed}`}`;
    case 'churning':
      // Churn by idle closes alone is said as that: nothing was replaced after a short life.
      if (closed && replacing.length === 0 && !summary.short_lived) return `${closed}${recycled}`;
      return `Connection ids were replaced after a short life${replacing.length ? ` (${replacing.join(', ')})` : ''}: clients open new connections instead of keeping them. Pool them (dbcache generate) and watch again.${closed && ` ${closed}`}${shortLived}${recycled}`;
    case 'idle':
      return 'No matching connection was seen: check the filters, or run the application while watching.';
    case 'unknown':
      if (summary.other_users_hidden && summary.ticks > 1) return hiddenAdvice(summary);
      return 'One sample cannot show churn: watch for at least two ticks (--count 2 or more).';
  }
}

function hiddenAdvice(summary: SummaryReport): string {
  const stable = summary.clients
    .filter((client) => client.verdict === 'stable')
    .map((client) => client.client);
  const seen = stable.length
    ? `${stable.join(', ')} kept ${stable.length === 1 ? 'its' : 'their'} connections, but the`
    : 'The';
  return `${seen} watcher's login lacks the PROCESS privilege, so the server listed only that user's own connections: dbcache cannot judge other users' connections. Watch as a user that has it, or add --filter-user with the login's own name to judge only its connections.${summary.recycled_total ? ` ${plural(summary.recycled_total, 'connection')} ended after a long life and ${summary.recycled_total === 1 ? 'was' : 'were'} replaced (recycled).` : ''}`;
}
