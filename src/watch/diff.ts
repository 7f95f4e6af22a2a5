import { type ConnectionRow, clientOf, type Snapshot } from './snapshot.ts';

/**
 * Why an id left the list. `wait-timeout`: it was sleeping, its idle time would have reached
 * wait_timeout before this tick, and Aborted_clients rose (the server counts such a close as an
 * aborted client). `server-restart`: every connection ended with the server.
 */
export type GoneReason = 'closed' | 'wait-timeout' | 'killed' | 'server-restart';

export interface GoneConnection {
  id: number;
  user: string;
  host: string;
  client: string;
  reason: GoneReason;
  lastCommand: string;
  /** Idle seconds when last seen. */
  lastIdle: number;
}

interface CounterDeltas {
  connections: number;
  threadsCreated: number;
  abortedClients: number;
}

export interface SnapshotDiff {
  /** The first snapshot has nothing to compare with: nothing is new or gone yet. */
  first: boolean;
  added: ConnectionRow[];
  gone: GoneConnection[];
  serverRestarted: boolean;
  /** Seconds since the previous snapshot; null for the first. */
  elapsedSeconds: number | null;
  /** How much the counters rose since the previous snapshot; null for the first, across a restart, or when unread. */
  deltas: CounterDeltas | null;
}

/** Uptime is whole seconds and read a little after the clock: allow this much disagreement. */
const UPTIME_SLACK_SECONDS = 2;
/** TIME is whole seconds, truncated. */
const IDLE_SLACK_SECONDS = 1;

/** What changed between two snapshots of the same filtered connection list. Pure. */
export function diffSnapshots(previous: Snapshot | null, current: Snapshot): SnapshotDiff {
  if (!previous) {
    return { first: true, added: [], gone: [], serverRestarted: false, elapsedSeconds: null, deltas: null };
  }
  const elapsedSeconds = Math.max(0, (current.at - previous.at) / 1000);
  const serverRestarted = restarted(previous, current, elapsedSeconds);
  const deltas = serverRestarted ? null : counterDeltas(previous, current);

  if (serverRestarted) {
    // Ids start again from 1 after a restart: every old connection ended, every current one is new.
    return {
      first: false,
      added: [...current.connections],
      gone: previous.connections.map((row) => gone(row, 'server-restart')),
      serverRestarted,
      elapsedSeconds,
      deltas,
    };
  }

  const before = new Map(previous.connections.map((row) => [row.id, row]));
  const now = new Set(current.connections.map((row) => row.id));
  const added = current.connections.filter((row) => !before.has(row.id));
  const left = previous.connections.filter((row) => !now.has(row.id));

  // The limit may have changed between the two (SET GLOBAL during the watch): a close that fits
  // either the one before or the one now is the server's.
  const closedByServer = idleTimeoutCandidates(
    left,
    [previous.waitTimeout, current.waitTimeout],
    elapsedSeconds,
    deltas?.abortedClients ?? 0,
  );
  return {
    first: false,
    added,
    gone: left.map((row) =>
      gone(row, row.command === 'Killed' ? 'killed' : closedByServer.has(row.id) ? 'wait-timeout' : 'closed'),
    ),
    serverRestarted,
    elapsedSeconds,
    deltas,
  };
}

function gone(row: ConnectionRow, reason: GoneReason): GoneConnection {
  return {
    id: row.id,
    user: row.user,
    host: row.host,
    client: clientOf(row),
    reason,
    lastCommand: row.command,
    lastIdle: row.command === 'Sleep' ? row.time : 0,
  };
}

/**
 * Gone connections the server most likely closed for idling: sleeping when last seen, with an
 * idle time that would have reached wait_timeout by now (but had not passed it, which would mean a
 * longer session limit). Aborted_clients must have risen by at least as many: the most idle
 * candidates get the credit.
 */
function idleTimeoutCandidates(
  left: ConnectionRow[],
  waitTimeouts: number[],
  elapsedSeconds: number,
  abortedClients: number,
): Set<number> {
  if (abortedClients <= 0) return new Set();
  const reached = (row: ConnectionRow, waitTimeout: number) =>
    waitTimeout > 0 &&
    row.time <= waitTimeout &&
    row.time + elapsedSeconds + IDLE_SLACK_SECONDS >= waitTimeout;
  const candidates = left
    .filter((row) => row.command === 'Sleep' && waitTimeouts.some((limit) => reached(row, limit)))
    .sort((a, b) => b.time - a.time)
    .slice(0, abortedClients);
  return new Set(candidates.map((row) => row.id));
}

function restarted(previous: Snapshot, current: Snapshot, elapsedSeconds: number): boolean {
  const before = previous.counters;
  const after = current.counters;
  // Had it kept running, the server would have been up at least `elapsed` seconds longer. A
  // server restarted within its first seconds can pass that test with the slack, so the
  // Connections counter, which only a restart sets back, is asked too.
  const uptimeFell =
    before.Uptime !== undefined &&
    after.Uptime !== undefined &&
    after.Uptime + UPTIME_SLACK_SECONDS < before.Uptime + elapsedSeconds;
  const connectionsFell =
    before.Connections !== undefined &&
    after.Connections !== undefined &&
    after.Connections < before.Connections;
  return uptimeFell || connectionsFell;
}

function counterDeltas(previous: Snapshot, current: Snapshot): CounterDeltas | null {
  const rise = (name: 'Connections' | 'Threads_created' | 'Aborted_clients'): number | undefined => {
    const before = previous.counters[name];
    const after = current.counters[name];
    return before === undefined || after === undefined ? undefined : Math.max(0, after - before);
  };
  const connections = rise('Connections');
  const threadsCreated = rise('Threads_created');
  const abortedClients = rise('Aborted_clients');
  if (connections === undefined || threadsCreated === undefined || abortedClients === undefined) return null;
  return { connections, threadsCreated, abortedClients };
}
