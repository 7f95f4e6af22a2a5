import { byClientName, ClientTrack, perSecond, round, totalView, VERDICT_WINDOW } from './client-track.ts';
import type { SnapshotDiff } from './diff.ts';
import type { Filters, GapView, Rates, StopReason, SummaryReport, TickReport } from './report.ts';
import { Ring } from './ring.ts';
import { clientOf, hostWithoutPort, type Snapshot } from './snapshot.ts';
import { type Life, type RecordedTick, tickReport } from './tick-report.ts';
import { overallVerdict, recycledAfterSeconds } from './verdict.ts';

export { VERDICT_WINDOW };
/** Sparkline length. */
export const HISTORY = 30;
/** Clients (user@host) remembered at most; beyond it the longest-gone are forgotten. */
export const MAX_CLIENTS = 1000;

export interface WatchContext {
  /** Where the first session reads the list from (a tick may say otherwise after a fallback). */
  source: string;
  filters: Filters;
  /** Short-lived connections can be counted only when the list shows every client: no filters, PROCESS privilege. */
  seesEveryClient: boolean;
  /**
   * Without the PROCESS privilege the server lists only the login user's connections: other users
   * the filters would match are hidden, so calm cannot be told (unless the filters ask for that user only).
   */
  otherUsersHidden?: boolean;
}

interface TickInput {
  snapshot: Snapshot;
  diff: SnapshotDiff;
  /** Where this tick's list came from. */
  source: string;
  watcherId: number;
  /** Set on the first tick after a reconnect. */
  gap: GapView | null;
  /** Connections the watcher itself opened since the previous tick (reconnects): not the clients' churn. */
  ownConnects: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Accumulates ticks into counts and verdicts. Everything it keeps is bounded: rings for the
 * recent window, totals as numbers, at most MAX_CLIENTS clients. Unique ids are counted, not
 * stored: ids only grow while a server runs, so every new id is a new connection.
 */
export class WatchStats {
  private ticks = 0;
  private uniqueIds = 0;
  private newTotal = 0;
  private goneTotal = 0;
  private closedTotal = 0;
  private restartGoneTotal = 0;
  private shortLivedTotal = 0;
  private restarts = 0;
  private gaps = 0;
  private gapSeconds = 0;
  private gapTicks = 0;
  private recycledTotal = 0;
  private clientsDropped = 0;
  private source: string;
  /**
   * When each open id was born, at the latest (first sighting less the idle time it showed):
   * one number per open connection, dropped when it goes, so memory follows the list's size.
   */
  private readonly births = new Map<number, number>();
  private firstAt: number | null = null;
  private readonly counterTotals = { connections: 0, threads_created: 0, aborted_clients: 0, seconds: 0 };
  private readonly newPerTick = new Ring<number>(HISTORY);
  private readonly shortLivedWindow = new Ring<number>(VERDICT_WINDOW);
  private readonly clients = new Map<string, ClientTrack>();

  constructor(private readonly context: WatchContext) {
    this.source = context.source;
  }

  private get otherUsersHidden(): boolean {
    return this.context.otherUsersHidden ?? false;
  }

  /** Ticks taken, and reconnect attempts that failed in their place: what --count counts. */
  get tickCount(): number {
    return this.ticks + this.gapTicks;
  }

  /** A reconnect attempt failed: a tick without a list, so that --count ends while the server is away. */
  missedTick(): void {
    this.gapTicks += 1;
  }

  /** Takes one tick into the counts and returns what it shows: the state changes here, the report is built apart. */
  record(input: TickInput): TickReport {
    return tickReport(this.update(input));
  }

  /** Updates every count, history and client with one tick; returns what the tick report is built from. */
  private update(input: TickInput): RecordedTick {
    const { snapshot, diff, gap } = input;
    this.ticks += 1;
    this.firstAt ??= snapshot.at;
    this.source = input.source;
    const lives = this.lifetimes(snapshot, diff);
    const connections = [...snapshot.connections].sort((a, b) => a.id - b.id);

    // Each row's client is worked out once: with thousands of connections this is most of the cost.
    const clientById = new Map<number, string>();
    const byClient = new Map<string, number>();
    for (const row of connections) {
      const client = clientOf(row);
      clientById.set(row.id, client);
      byClient.set(client, (byClient.get(client) ?? 0) + 1);
      if (!this.clients.has(client))
        this.clients.set(client, new ClientTrack(client, row.user, hostWithoutPort(row.host)));
    }
    const addedIds = new Set(diff.added.map((row) => row.id));
    const heldClients = new Set<string>();
    for (const row of connections)
      if (!addedIds.has(row.id)) heldClients.add(clientById.get(row.id) as string);
    // After a restart every client had to connect again: that is not churn, any more than the ids the restart ended.
    const addedBy = groupCount(
      diff.serverRestarted ? [] : diff.added.map((row) => clientById.get(row.id) as string),
    );
    const churnGone = diff.gone.filter((row) => row.reason !== 'server-restart');
    const goneBy = groupCount(churnGone.map((row) => row.client));
    const recycled = churnGone.filter((row) => lives.get(row.id)?.recycled);
    const recycledBy = groupCount(recycled.map((row) => row.client));
    const closed = churnGone.filter((row) => row.reason === 'wait-timeout');
    const closedBy = groupCount(closed.map((row) => row.client));
    for (const row of diff.gone) {
      if (!this.clients.has(row.client))
        this.clients.set(row.client, new ClientTrack(row.client, row.user, hostWithoutPort(row.host)));
    }
    for (const track of this.clients.values()) {
      track.present = byClient.get(track.client) ?? 0;
      track.peak = Math.max(track.peak, track.present);
      if (track.present > 0) track.lastSeenTick = this.ticks;
      if (!diff.first) {
        track.step({
          added: addedBy.get(track.client) ?? 0,
          gone: goneBy.get(track.client) ?? 0,
          recycled: recycledBy.get(track.client) ?? 0,
          closed: closedBy.get(track.client) ?? 0,
          held: heldClients.has(track.client),
          seconds: diff.elapsedSeconds ?? 0,
        });
      }
    }
    this.forgetOldClients();

    this.uniqueIds += diff.first ? connections.length : diff.added.length;
    this.newTotal += diff.added.length;
    this.goneTotal += churnGone.length;
    this.closedTotal += closed.length;
    this.recycledTotal += recycled.length;
    this.restartGoneTotal += diff.gone.length - churnGone.length;
    if (diff.serverRestarted) this.restarts += 1;
    if (gap) {
      this.gaps += 1;
      this.gapSeconds += gap.seconds;
    }
    if (!diff.first) this.newPerTick.push(diff.added.length);

    let rates: Rates = {
      connections_per_second: null,
      threads_created_per_second: null,
      aborted_clients_per_second: null,
    };
    let shortLived: number | null = null;
    if (diff.deltas && diff.elapsedSeconds) {
      const seconds = diff.elapsedSeconds;
      rates = {
        connections_per_second: perSecond(diff.deltas.connections, seconds),
        threads_created_per_second: perSecond(diff.deltas.threadsCreated, seconds),
        aborted_clients_per_second: perSecond(diff.deltas.abortedClients, seconds),
      };
      this.counterTotals.connections += diff.deltas.connections;
      this.counterTotals.threads_created += diff.deltas.threadsCreated;
      this.counterTotals.aborted_clients += diff.deltas.abortedClients;
      this.counterTotals.seconds += seconds;
      if (this.context.seesEveryClient) {
        shortLived = Math.max(0, diff.deltas.connections - diff.added.length - input.ownConnects);
        this.shortLivedTotal += shortLived;
        this.shortLivedWindow.push(shortLived);
      }
    }

    return {
      tick: this.ticks,
      snapshot,
      diff,
      source: input.source,
      watcherId: input.watcherId,
      gap,
      connections,
      addedIds,
      closed,
      recycled,
      lives,
      rates,
      shortLived,
      shortLivedRecent: this.shortLivedWindow.values().reduce((sum, value) => sum + value, 0),
      recentNewPerTick: this.newPerTick.values(),
      uniqueIds: this.uniqueIds,
      clients: [...this.clients.values()],
      otherUsersHidden: this.otherUsersHidden,
    };
  }

  /**
   * How long each gone id lived, and whether that makes it recycled; then the births of the open
   * ids. A gone id lived at least from its birth to the previous tick, its last sighting. Ids that
   * the server closed for idling are never recycled: the pool kept them longer than it may.
   */
  private lifetimes(snapshot: Snapshot, diff: SnapshotDiff): Map<number, Life> {
    const lives = new Map<number, Life>();
    const lastSeenAt = snapshot.at - (diff.elapsedSeconds ?? 0) * 1000;
    const threshold = recycledAfterSeconds(snapshot.waitTimeout);
    for (const row of diff.gone) {
      const born = this.births.get(row.id) ?? lastSeenAt;
      const seconds = Math.max(0, Math.floor((lastSeenAt - born) / 1000));
      const recycled = (row.reason === 'closed' || row.reason === 'killed') && seconds >= threshold;
      lives.set(row.id, { seconds, recycled });
      this.births.delete(row.id);
    }
    // Ids start again from 1 after a restart: nothing remembered belongs to the new ids.
    if (diff.serverRestarted) this.births.clear();
    for (const row of snapshot.connections) {
      // TIME is how long it has been in its current command: it was born at least that long ago.
      const born = snapshot.at - row.time * 1000;
      const known = this.births.get(row.id);
      if (known === undefined || born < known) this.births.set(row.id, born);
    }
    return lives;
  }

  /** `openGapSeconds`: the watch ended while reconnecting; that gap counts too. */
  summary(stoppedBy: StopReason, endedAt: number, openGapSeconds: number | null = null): SummaryReport {
    const clients = [...this.clients.values()].map((track) => totalView(track)).sort(byClientName);
    const seconds = this.counterTotals.seconds;
    return {
      type: 'summary',
      verdict:
        this.ticks < 2
          ? 'unknown'
          : overallVerdict(
              clients.map((view) => view.verdict),
              this.shortLivedTotal,
              this.otherUsersHidden,
            ),
      other_users_hidden: this.otherUsersHidden,
      stopped_by: stoppedBy,
      started_at: this.firstAt === null ? null : iso(this.firstAt),
      ended_at: iso(endedAt),
      duration_seconds: this.firstAt === null ? 0 : round((endedAt - this.firstAt) / 1000, 1),
      ticks: this.ticks,
      unique_ids: this.uniqueIds,
      new_total: this.newTotal,
      gone_total: this.goneTotal,
      recycled_total: this.recycledTotal,
      closed_by_wait_timeout: this.closedTotal,
      gone_by_server_restart: this.restartGoneTotal,
      short_lived: this.context.seesEveryClient && this.ticks > 1 ? this.shortLivedTotal : null,
      server_restarts: this.restarts,
      gaps: this.gaps + (openGapSeconds === null ? 0 : 1),
      gap_seconds: round(this.gapSeconds + (openGapSeconds ?? 0), 1),
      gap_ticks: this.gapTicks,
      counters: {
        connections: this.counterTotals.connections,
        threads_created: this.counterTotals.threads_created,
        aborted_clients: this.counterTotals.aborted_clients,
      },
      rates: {
        connections_per_second: perSecond(this.counterTotals.connections, seconds),
        threads_created_per_second: perSecond(this.counterTotals.threads_created, seconds),
        aborted_clients_per_second: perSecond(this.counterTotals.aborted_clients, seconds),
      },
      clients,
      clients_dropped: this.clientsDropped,
      source: this.source,
      filters: this.context.filters,
    };
  }

  /** Forgets the clients gone longest once there are too many: a server with endless distinct hosts stays bounded. */
  private forgetOldClients(): void {
    if (this.clients.size <= MAX_CLIENTS) return;
    const absent = [...this.clients.values()]
      .filter((track) => track.present === 0)
      .sort((a, b) => a.lastSeenTick - b.lastSeenTick);
    for (const track of absent.slice(0, this.clients.size - MAX_CLIENTS)) {
      this.clients.delete(track.client);
      this.clientsDropped += 1;
    }
  }
}

function groupCount(clients: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const client of clients) counts.set(client, (counts.get(client) ?? 0) + 1);
  return counts;
}
