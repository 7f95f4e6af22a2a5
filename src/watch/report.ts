import type { GoneReason } from './diff.ts';
import type { Counters } from './snapshot.ts';
import type { Verdict } from './verdict.ts';

/**
 * The model every view prints: the screen, the plain lines and `--json` (one NDJSON object per
 * tick, `disconnected` events, and one final summary). The JSON names are a public interface,
 * documented in the README: change them deliberately.
 */

export interface ConnectionView {
  id: number;
  user: string;
  host: string;
  db: string | null;
  command: string;
  /** The server's TIME: seconds in the current command. */
  time_seconds: number;
  /** Seconds idle (TIME while the command is Sleep, else 0). */
  idle_seconds: number;
  /** Idle seconds left before the global wait_timeout closes it. */
  idle_left_seconds: number;
  state: string | null;
  /** Appeared since the previous tick. */
  new: boolean;
}

export interface GoneView {
  id: number;
  user: string;
  host: string;
  client: string;
  reason: GoneReason;
  last_command: string;
  last_idle_seconds: number;
  /** How long it lived, at least: from its first sighting (less the idle time it showed then) to its last. */
  lived_seconds: number;
  /** It lived long enough that its end is a pool retiring it by age, not churn (see the README's verdict rules). */
  recycled: boolean;
}

export interface ClientView {
  /** user@host, without the client port. */
  client: string;
  user: string;
  host: string;
  verdict: Verdict;
  /** Connections open now (in the summary: the most seen at once). */
  connections: number;
  /** Ids that appeared / went away (ticks: within the verdict window; summary: the whole run). */
  new: number;
  gone: number;
  /** Of the gone ids, those that had lived long: recycled by the pool, not churn. */
  recycled: number;
  closed_by_wait_timeout: number;
  /** New ids per second over the same span; null before two ticks. */
  new_per_second: number | null;
}

export interface GapView {
  started_at: string;
  seconds: number;
  /** Why the watcher lost its connection, as a sentence. */
  reason: string;
  /** Reconnect attempts, the successful one included. */
  attempts: number;
  server_restarted: boolean;
}

export interface Rates {
  connections_per_second: number | null;
  threads_created_per_second: number | null;
  aborted_clients_per_second: number | null;
}

export interface TickReport {
  type: 'tick';
  tick: number;
  at: string;
  elapsed_seconds: number | null;
  source: string;
  watcher_connection_id: number;
  wait_timeout: number;
  ids: number[];
  new: number[];
  gone: number[];
  closed_by_wait_timeout: number[];
  /** Gone ids that had lived long: a pool retiring connections by age. */
  recycled: number[];
  connections: ConnectionView[];
  gone_connections: GoneView[];
  counters: Counters;
  rates: Rates;
  threads_connected: number | null;
  /** Connections the server accepted that no tick saw (opened and closed in between); null with filters. */
  short_lived: number | null;
  /** New ids per tick for the last ticks, oldest first: the sparkline. */
  recent_new_per_tick: number[];
  unique_ids: number;
  clients: ClientView[];
  verdict: Verdict;
  /** No PROCESS privilege: other users' connections are not listed, so the verdict cannot be stable. */
  other_users_hidden: boolean;
  /** Set on the first tick after the watcher reconnected. */
  gap: GapView | null;
  server_restarted: boolean;
}

export interface DisconnectedEvent {
  type: 'disconnected';
  at: string;
  reason: string;
}

export type StopReason = 'count' | 'duration' | 'signal';

export interface SummaryReport {
  type: 'summary';
  verdict: Verdict;
  /** No PROCESS privilege: other users' connections were not listed, so the verdict cannot be stable. */
  other_users_hidden: boolean;
  stopped_by: StopReason;
  started_at: string | null;
  ended_at: string;
  duration_seconds: number;
  ticks: number;
  unique_ids: number;
  new_total: number;
  gone_total: number;
  /** Of gone_total, the ids that had lived long: recycled by their pool, not churn. */
  recycled_total: number;
  closed_by_wait_timeout: number;
  gone_by_server_restart: number;
  short_lived: number | null;
  server_restarts: number;
  gaps: number;
  gap_seconds: number;
  /** Reconnect attempts that failed: each stands in for a tick, so --count ends while the server is away. */
  gap_ticks: number;
  counters: { connections: number; threads_created: number; aborted_clients: number };
  rates: Rates;
  clients: ClientView[];
  /** Clients forgotten to keep memory bounded (more than the tracking limit, long gone). */
  clients_dropped: number;
  /** Where the last tick read the connection list from. */
  source: string;
  filters: Filters;
}

export interface Filters {
  user: string[];
  db: string[];
  host: string[];
}

export const hasFilters = (filters: Filters): boolean =>
  filters.user.length + filters.db.length + filters.host.length > 0;
