import { byClientName, type ClientTrack, round, windowView } from './client-track.ts';
import type { GoneConnection, SnapshotDiff } from './diff.ts';
import type { ConnectionView, GapView, GoneView, Rates, TickReport } from './report.ts';
import { type ConnectionRow, idleSeconds, type Snapshot } from './snapshot.ts';
import { overallVerdict } from './verdict.ts';

/** How long a gone id lived, at least, and whether that makes it recycled. */
export interface Life {
  seconds: number;
  recycled: boolean;
}

/** What WatchStats worked out for one tick, after updating its state: all a tick report needs. */
export interface RecordedTick {
  tick: number;
  snapshot: Snapshot;
  diff: SnapshotDiff;
  source: string;
  watcherId: number;
  gap: GapView | null;
  /** The snapshot's connections, by id. */
  connections: ConnectionRow[];
  addedIds: ReadonlySet<number>;
  closed: GoneConnection[];
  recycled: GoneConnection[];
  lives: ReadonlyMap<number, Life>;
  rates: Rates;
  shortLived: number | null;
  /** Short-lived connections within the verdict window. */
  shortLivedRecent: number;
  recentNewPerTick: number[];
  uniqueIds: number;
  clients: readonly ClientTrack[];
  otherUsersHidden: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const ascending = (ids: number[]): number[] => ids.sort((a, b) => a - b);

/** The public tick report (the views' model and the NDJSON tick object). Reads, changes nothing. */
export function tickReport(recorded: RecordedTick): TickReport {
  const { snapshot, diff, connections, addedIds } = recorded;
  const waitTimeout = snapshot.waitTimeout;
  const clientViews = recorded.clients
    .filter((track) => track.active)
    .map((track) => windowView(track))
    .sort(byClientName);
  return {
    type: 'tick',
    tick: recorded.tick,
    at: iso(snapshot.at),
    elapsed_seconds: diff.elapsedSeconds === null ? null : round(diff.elapsedSeconds, 3),
    source: recorded.source,
    watcher_connection_id: recorded.watcherId,
    wait_timeout: waitTimeout,
    ids: connections.map((row) => row.id),
    new: ascending(diff.added.map((row) => row.id)),
    gone: ascending(diff.gone.map((row) => row.id)),
    closed_by_wait_timeout: ascending(recorded.closed.map((row) => row.id)),
    recycled: ascending(recorded.recycled.map((row) => row.id)),
    connections: connections.map((row) => connectionView(row, waitTimeout, addedIds.has(row.id))),
    gone_connections: diff.gone.map((row) => goneView(row, recorded.lives.get(row.id))),
    counters: snapshot.counters,
    rates: recorded.rates,
    threads_connected: snapshot.counters.Threads_connected ?? null,
    short_lived: recorded.shortLived,
    recent_new_per_tick: recorded.recentNewPerTick,
    unique_ids: recorded.uniqueIds,
    clients: clientViews,
    verdict:
      recorded.tick < 2
        ? 'unknown'
        : overallVerdict(
            clientViews.map((view) => view.verdict),
            recorded.shortLivedRecent,
            recorded.otherUsersHidden,
          ),
    other_users_hidden: recorded.otherUsersHidden,
    gap: recorded.gap,
    server_restarted: diff.serverRestarted,
  };
}

function connectionView(row: ConnectionRow, waitTimeout: number, isNew: boolean): ConnectionView {
  const idle = idleSeconds(row);
  return {
    id: row.id,
    user: row.user,
    host: row.host,
    db: row.db,
    command: row.command,
    time_seconds: row.time,
    idle_seconds: idle,
    idle_left_seconds: Math.max(0, waitTimeout - idle),
    state: row.state,
    new: isNew,
  };
}

function goneView(row: GoneConnection, life: Life | undefined): GoneView {
  return {
    id: row.id,
    user: row.user,
    host: row.host,
    client: row.client,
    reason: row.reason,
    last_command: row.lastCommand,
    last_idle_seconds: row.lastIdle,
    lived_seconds: life?.seconds ?? 0,
    recycled: life?.recycled ?? false,
  };
}
