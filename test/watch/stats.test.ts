import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffSnapshots } from '../../src/watch/diff.ts';
import type { GapView, TickReport } from '../../src/watch/report.ts';
import type { Snapshot } from '../../src/watch/snapshot.ts';
import {
  HISTORY,
  MAX_CLIENTS,
  VERDICT_WINDOW,
  type WatchContext,
  WatchStats,
} from '../../src/watch/stats.ts';
import { row, snapshot } from './fixtures.ts';

const context = (overrides: Partial<WatchContext> = {}): WatchContext => ({
  source: 'information_schema.PROCESSLIST',
  filters: { user: [], db: [], host: [] },
  seesEveryClient: false,
  ...overrides,
});

/** Feeds snapshots through diff and stats as the loop does. */
function feed(stats: WatchStats, snapshots: Snapshot[], gaps: Array<GapView | null> = []): TickReport[] {
  let previous: Snapshot | null = null;
  return snapshots.map((current, index) => {
    const report = stats.record({
      snapshot: current,
      diff: diffSnapshots(previous, current),
      source: 'information_schema.PROCESSLIST',
      watcherId: 99,
      gap: gaps[index] ?? null,
      ownConnects: 0,
    });
    previous = current;
    return report;
  });
}

test('a pool of three held connections: same ids every tick, stable, three unique ids', () => {
  const stats = new WatchStats(context());
  const ticks = feed(
    stats,
    [0, 1, 2, 3].map((n) => snapshot(n * 2000, [row(11), row(12), row(13)], { Uptime: 1000 + n * 2 })),
  );
  assert.equal(ticks[0]?.verdict, 'unknown', 'one sample is not evidence');
  for (const tick of ticks) {
    assert.deepEqual(tick.ids, [11, 12, 13]);
    assert.deepEqual(tick.new, []);
    assert.deepEqual(tick.gone, []);
  }
  assert.equal(ticks[3]?.verdict, 'stable');
  assert.deepEqual(
    ticks[3]?.clients.map((c) => [c.client, c.verdict, c.connections]),
    [['app@10.0.0.5', 'stable', 3]],
  );
  const summary = stats.summary('count', 6000);
  assert.equal(summary.verdict, 'stable');
  assert.equal(summary.unique_ids, 3);
  assert.equal(summary.ticks, 4);
  assert.equal(summary.duration_seconds, 6);
});

test('a client connecting per request: new ids each tick, churning with its rate; the pool beside it stays stable', () => {
  const stats = new WatchStats(context());
  const pool = [row(1, { user: 'pool' }), row(2, { user: 'pool' })];
  const ticks = feed(
    stats,
    [0, 1, 2, 3, 4].map((n) =>
      snapshot(n * 1000, [...pool, row(100 + n, { user: 'web', command: 'Query', time: 0 })], {
        Connections: 100 + n,
        Uptime: 1000 + n,
      }),
    ),
  );
  const last = ticks[4] as TickReport;
  assert.deepEqual(last.new, [104]);
  assert.deepEqual(last.gone, [103]);
  assert.equal(last.verdict, 'churning');
  const byClient = Object.fromEntries(last.clients.map((c) => [c.client, c]));
  assert.equal(byClient['pool@10.0.0.5']?.verdict, 'stable');
  assert.equal(byClient['web@10.0.0.5']?.verdict, 'churning');
  assert.equal(byClient['web@10.0.0.5']?.new_per_second, 1);
  assert.equal(last.rates.connections_per_second, 1);
  assert.deepEqual(last.recent_new_per_tick, [1, 1, 1, 1]);
  const summary = stats.summary('signal', 4000);
  assert.equal(summary.verdict, 'churning');
  assert.equal(summary.unique_ids, 7, 'three at the start, then one new id per tick');
  assert.equal(summary.new_total, 4);
  assert.equal(summary.gone_total, 4);
  assert.deepEqual(summary.counters, { connections: 4, threads_created: 0, aborted_clients: 0 });
});

test('the live verdict forgets churn older than the window; the summary keeps it', () => {
  const stats = new WatchStats(context());
  const snapshots: Snapshot[] = [snapshot(0, [row(1)]), snapshot(1000, [row(2)], { Uptime: 1001 })];
  for (let n = 2; n < VERDICT_WINDOW + 3; n++)
    snapshots.push(snapshot(n * 1000, [row(2)], { Uptime: 1000 + n }));
  const ticks = feed(stats, snapshots);
  assert.equal(ticks[1]?.verdict, 'churning');
  assert.equal(ticks.at(-1)?.verdict, 'stable');
  assert.equal(stats.summary('count', 0).verdict, 'churning');
});

test('ids that ended with a server restart are not churn; the restart is counted', () => {
  const stats = new WatchStats(context());
  const gap: GapView = {
    started_at: 'x',
    seconds: 3,
    reason: 'the server is shutting down',
    attempts: 2,
    server_restarted: true,
  };
  const ticks = feed(
    stats,
    [
      snapshot(0, [row(50), row(51)], { Uptime: 5000 }),
      snapshot(1000, [row(50), row(51)], { Uptime: 5001 }),
      snapshot(5000, [row(4), row(5)], { Uptime: 2, Connections: 6 }),
      snapshot(6000, [row(4), row(5)], { Uptime: 3, Connections: 6 }),
    ],
    [null, null, gap, null],
  );
  assert.equal(ticks[2]?.server_restarted, true);
  assert.deepEqual(
    ticks[2]?.gone_connections.map((g) => g.reason),
    ['server-restart', 'server-restart'],
  );
  assert.equal(ticks[2]?.gap, gap);
  assert.equal(ticks[3]?.verdict, 'stable', 'the pool reconnected after the restart and holds its ids again');
  const summary = stats.summary('signal', 6000);
  assert.equal(summary.server_restarts, 1);
  assert.equal(summary.gone_by_server_restart, 2);
  assert.equal(summary.gone_total, 0);
  assert.equal(summary.gaps, 1);
  assert.equal(summary.gap_seconds, 3);
  assert.equal(summary.unique_ids, 4);
  assert.equal(summary.verdict, 'stable');
});

test('reconnecting after a restart is not churn, even for a client that lost a connection before it', () => {
  const stats = new WatchStats(context());
  const ticks = feed(stats, [
    snapshot(0, [row(50), row(51)], { Uptime: 5000 }),
    snapshot(1000, [row(51)], { Uptime: 5001 }),
    snapshot(5000, [row(3)], { Uptime: 2, Connections: 4 }),
    snapshot(6000, [row(3)], { Uptime: 3, Connections: 4 }),
  ]);
  assert.deepEqual(ticks[2]?.new, [3], 'the id is new all the same');
  assert.equal(ticks[3]?.clients[0]?.verdict, 'stable');
  const summary = stats.summary('signal', 6000);
  assert.deepEqual(
    summary.clients.map((c) => [c.verdict, c.new, c.gone]),
    [['stable', 0, 1]],
  );
  assert.equal(summary.new_total, 1);
});

test('connections the list never showed are counted as short-lived only when the watcher sees every client', () => {
  const snapshots = [
    snapshot(0, [row(1)], { Connections: 100 }),
    snapshot(1000, [row(1)], { Connections: 105, Uptime: 1001 }),
  ];
  const everyone = feed(new WatchStats(context({ seesEveryClient: true })), snapshots);
  assert.equal(everyone[1]?.short_lived, 5);
  assert.equal(everyone[1]?.verdict, 'churning');
  const filtered = feed(new WatchStats(context()), snapshots);
  assert.equal(filtered[1]?.short_lived, null);
  assert.equal(filtered[1]?.verdict, 'stable');
});

test('the watcher reconnecting is not counted as a short-lived client connection', () => {
  const stats = new WatchStats(context({ seesEveryClient: true }));
  const first = snapshot(0, [row(1)], { Connections: 100 });
  const second = snapshot(1000, [row(1)], { Connections: 101, Uptime: 1001 });
  stats.record({
    snapshot: first,
    diff: diffSnapshots(null, first),
    source: 'information_schema.PROCESSLIST',
    watcherId: 1,
    gap: null,
    ownConnects: 0,
  });
  const report = stats.record({
    snapshot: second,
    diff: diffSnapshots(first, second),
    source: 'information_schema.PROCESSLIST',
    watcherId: 2,
    gap: null,
    ownConnects: 1,
  });
  assert.equal(report.short_lived, 0);
});

test('idle time left counts down from wait_timeout for sleeping connections only', () => {
  const [tick] = feed(new WatchStats(context()), [
    snapshot(0, [row(1, { time: 590 }), row(2, { command: 'Query', time: 30 })], {}, 600),
  ]);
  assert.deepEqual(
    tick?.connections.map((c) => [c.id, c.idle_seconds, c.idle_left_seconds]),
    [
      [1, 590, 10],
      [2, 0, 600],
    ],
  );
});

test('memory stays bounded: the sparkline keeps the last ticks, clients are capped', () => {
  const stats = new WatchStats(context());
  const snapshots: Snapshot[] = [];
  // Every tick a new client from a new host appears and the previous one leaves.
  for (let n = 0; n < MAX_CLIENTS + 50; n++) {
    snapshots.push(
      snapshot(n * 1000, [row(n + 1, { host: `10.1.${Math.floor(n / 250)}.${n % 250}:5000` })], {
        Uptime: 1000 + n,
      }),
    );
  }
  const ticks = feed(stats, snapshots);
  assert.equal(ticks.at(-1)?.recent_new_per_tick.length, HISTORY);
  const summary = stats.summary('count', 0);
  assert.equal(summary.clients.length, MAX_CLIENTS);
  assert.equal(summary.clients_dropped, 50);
  assert.equal(summary.unique_ids, MAX_CLIENTS + 50);
});

test('a pool that retires one connection by age is recycling, not churning: live and summary stay stable', () => {
  // `dbcache generate` asks for lifetimes such as 540 s at wait_timeout 600: ten connections
  // held for ten minutes, one replaced once by the pool.
  const stats = new WatchStats(context({ filters: { user: ['app'], db: [], host: [] } }));
  const snapshots: Snapshot[] = [];
  let ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  for (let n = 0; n < 300; n++) {
    if (n === 150) ids = [...ids.slice(1), 11];
    snapshots.push(
      snapshot(
        n * 2000,
        ids.map((id) => row(id)),
        { Uptime: 1000 + n * 2 },
      ),
    );
  }
  const ticks = feed(stats, snapshots);
  const replaced = ticks[150] as TickReport;
  assert.deepEqual(replaced.gone, [1]);
  assert.deepEqual(replaced.recycled, [1]);
  const gone = replaced.gone_connections[0];
  assert.equal(gone?.recycled, true);
  assert.ok((gone?.lived_seconds ?? 0) >= 298, `lived ${gone?.lived_seconds} s`);
  assert.equal(replaced.verdict, 'stable');
  assert.equal(ticks[151]?.verdict, 'stable');
  assert.equal(ticks[151]?.clients[0]?.recycled, 1);
  const summary = stats.summary('count', 600_000);
  assert.equal(summary.verdict, 'stable');
  assert.equal(summary.recycled_total, 1);
  assert.deepEqual(
    summary.clients.map((c) => [c.verdict, c.new, c.gone, c.recycled]),
    [['stable', 1, 1, 1]],
  );
});

test('a connection first seen long idle has lived at least that long: its end on the next tick is recycling', () => {
  const stats = new WatchStats(context());
  const ticks = feed(stats, [
    snapshot(0, [row(1, { time: 500 }), row(2, { time: 3 })]),
    snapshot(2000, [row(2, { time: 5 }), row(3, { time: 0 })], { Uptime: 1002 }),
  ]);
  assert.equal(ticks[1]?.gone_connections[0]?.lived_seconds, 500);
  assert.deepEqual(ticks[1]?.recycled, [1]);
  assert.equal(ticks[1]?.verdict, 'stable');
});

test('short lives are churn whatever the pool size; a long-lived connection the server closed for idling is never recycling', () => {
  const stats = new WatchStats(context());
  // A pool of ten beside which one request connection at a time lives for a second or two.
  const pool = Array.from({ length: 10 }, (_, index) => row(index + 1, { time: 100 }));
  const ticks = feed(
    stats,
    [0, 1, 2, 3].map((n) =>
      snapshot(n * 1000, [...pool, row(100 + n, { command: 'Query', time: 0 })], { Uptime: 1000 + n }),
    ),
  );
  assert.deepEqual(ticks[3]?.recycled, []);
  assert.equal(ticks[3]?.verdict, 'churning');

  const idled = new WatchStats(context());
  const closed = feed(idled, [
    snapshot(0, [row(1, { time: 598 }), row(2, { time: 1 })], {}, 600),
    snapshot(3000, [row(2, { time: 4 }), row(3, { time: 0 })], { Aborted_clients: 1, Uptime: 1003 }, 600),
  ]);
  assert.deepEqual(closed[1]?.closed_by_wait_timeout, [1]);
  assert.deepEqual(closed[1]?.recycled, []);
  assert.equal(closed[1]?.verdict, 'churning');
});

test('the lifetimes kept are those of open ids only', () => {
  const stats = new WatchStats(context());
  const snapshots: Snapshot[] = [];
  for (let n = 0; n < 500; n++)
    snapshots.push(
      snapshot(n * 1000, [row(n + 1, { time: 0 }), row(n + 2, { time: 0 })], { Uptime: 1000 + n }),
    );
  feed(stats, snapshots);
  const births = (stats as unknown as { births: Map<number, number> }).births;
  assert.deepEqual(
    [...births.keys()].sort((a, b) => a - b),
    [500, 501],
  );
});
