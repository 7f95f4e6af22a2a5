import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { identifyServer } from '../../src/server/identity.ts';
import { type LoopWorld, watchLoop } from '../../src/watch/loop.ts';
import type { TickReport } from '../../src/watch/report.ts';
import type { WatchSession } from '../../src/watch/session.ts';
import type { WatchView } from '../../src/watch/view.ts';
import { row, snapshot } from './fixtures.ts';

/**
 * The loop's own rules (pace, stopping, backoff, gaps) with a scripted session and a clock that
 * jumps instead of waiting. What the server says is tested against a real server elsewhere.
 */
function harness(script: Array<'ok' | 'lost' | 'denied'>, reconnectFailures = 0) {
  let clock = 0;
  let step = 0;
  let sessions = 0;
  const events: string[] = [];
  const ticks: TickReport[] = [];
  const closed: number[] = [];
  const session = (id: number): WatchSession => ({
    watcherId: id,
    identity: identifyServer({ version: '10.11.19-MariaDB' }),
    source: 'information_schema.PROCESSLIST',
    seesEveryUser: true,
    async sample() {
      const next = script[step++] ?? 'ok';
      if (next === 'lost')
        throw Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
      if (next === 'denied')
        throw Object.assign(new Error('SELECT command denied'), {
          errno: 1142,
          sqlState: '42000',
          sqlMessage: "SELECT command denied to user 'w'@'localhost' for table 'PROCESSLIST'",
        });
      return snapshot(clock, [row(1), row(2)], { Uptime: 1000 + Math.floor(clock / 1000) });
    },
    async close() {
      closed.push(id);
    },
  });
  let failures = reconnectFailures;
  const view: WatchView = {
    start: () => undefined,
    tick: (report) => {
      ticks.push(report);
      events.push(`tick ${report.tick}`);
    },
    disconnected: (event) => events.push(`disconnected: ${event.reason}`),
    retrying: (attempt, _reason, wait) => events.push(`retry ${attempt} in ${wait}`),
    finish: (summary) => events.push(`summary ${summary.stopped_by}`),
    close: () => events.push('close'),
  };
  const controller = new AbortController();
  const world: LoopWorld = {
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    signal: controller.signal,
    reconnect: async () => {
      clock += 10;
      if (failures-- > 0) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return session(++sessions + 100);
    },
    view,
  };
  return { world, controller, events, ticks, closed, first: session(100), now: () => clock };
}

const context = {
  source: 'information_schema.PROCESSLIST',
  filters: { user: [], db: [], host: [] },
  seesEveryClient: false,
};
const backoff = { initialMs: 100, maxMs: 250 };

test('--duration stops on time: a tick at the start, every interval, and one at the end', async () => {
  const h = harness([]);
  const summary = await watchLoop(
    h.first,
    context,
    { intervalMs: 2000, durationMs: 10_000, backoff },
    h.world,
  );
  assert.equal(summary.stopped_by, 'duration');
  assert.deepEqual(
    h.ticks.map((t) => Date.parse(t.at)),
    [0, 2000, 4000, 6000, 8000, 10_000],
  );
  assert.equal(summary.duration_seconds, 10);
  assert.deepEqual(h.closed, [100], 'the session is closed at the end');
  assert.deepEqual(h.events.slice(-2), ['summary duration', 'close']);
});

test('a lost connection: reported once, retried with doubling backoff up to the cap, then the gap is marked', async () => {
  const h = harness(['ok', 'lost'], 3);
  // One tick, three failed attempts (each stands in for a tick), two more ticks.
  const summary = await watchLoop(h.first, context, { intervalMs: 1000, count: 6, backoff }, h.world);
  assert.deepEqual(h.events, [
    'tick 1',
    'disconnected: the server closed the connection (killed, or the server stopped)',
    'retry 1 in 100',
    'retry 2 in 200',
    'retry 3 in 250',
    'tick 2',
    'tick 3',
    'summary count',
    'close',
  ]);
  const afterGap = h.ticks[1] as TickReport;
  assert.equal(afterGap.gap?.attempts, 4);
  assert.equal(afterGap.watcher_connection_id, 101);
  assert.deepEqual(afterGap.new, [], 'ids kept across the gap are not new');
  assert.equal(h.ticks[2]?.gap, null);
  assert.equal(summary.gaps, 1);
  assert.equal(summary.ticks, 3);
  assert.equal(summary.gap_ticks, 3);
  assert.deepEqual(h.closed, [100, 101]);
});

test('an error that is not a lost connection ends the watch with its exit code, and the view is restored', async () => {
  const h = harness(['ok', 'denied']);
  await assert.rejects(
    watchLoop(h.first, context, { intervalMs: 1000, backoff }, h.world),
    (err: unknown) =>
      err instanceof UserError &&
      err.exitCode === ExitCode.privilege &&
      /SELECT command denied to user/.test(err.message),
  );
  assert.deepEqual(h.events, ['tick 1', 'close']);
});

test('--count ends the watch while the server stays away: each failed reconnect attempt is a tick', async () => {
  const h = harness(['ok', 'lost'], Number.POSITIVE_INFINITY);
  const summary = await watchLoop(h.first, context, { intervalMs: 1000, count: 4, backoff }, h.world);
  assert.equal(summary.stopped_by, 'count');
  assert.equal(summary.ticks, 1);
  assert.equal(summary.gap_ticks, 3);
  assert.equal(summary.gaps, 1, 'the gap still open at the end is counted');
  assert.deepEqual(h.events.slice(-3), ['retry 3 in 250', 'summary count', 'close']);
});

test('--duration ends on time while the server stays away, even when the very first tick fails', async () => {
  const h = harness(['lost'], Number.POSITIVE_INFINITY);
  const summary = await watchLoop(h.first, context, { intervalMs: 1000, durationMs: 3000, backoff }, h.world);
  assert.equal(summary.stopped_by, 'duration');
  assert.equal(summary.ticks, 0);
  assert.ok(summary.gap_ticks > 0);
  assert.ok(h.now() >= 3000 && h.now() < 3000 + backoff.maxMs, `ended at ${h.now()} ms`);
});

test('a reconnect refused for good (password, privilege) ends the watch with its exit code, not retried', async () => {
  const denied = (errno: number, exitCode: (typeof ExitCode)[keyof typeof ExitCode]) => {
    const cause = Object.assign(new Error('Access denied'), {
      errno,
      sqlState: '28000',
      sqlMessage: "Access denied for user 'w'@'localhost' (using password: YES)",
    });
    return exitCode === ExitCode.authentication
      ? new UserError('The server refused user w', exitCode, { cause })
      : cause;
  };
  for (const [err, exitCode] of [
    [denied(1045, ExitCode.authentication), ExitCode.authentication],
    [denied(1227, ExitCode.privilege), ExitCode.privilege],
  ] as const) {
    const h = harness(['ok', 'lost']);
    let attempts = 0;
    h.world.reconnect = async () => {
      attempts += 1;
      throw err;
    };
    await assert.rejects(
      watchLoop(h.first, context, { intervalMs: 1000, backoff }, h.world),
      (thrown: unknown) => thrown instanceof UserError && thrown.exitCode === exitCode,
    );
    assert.equal(attempts, 1);
    assert.ok(!h.events.some((event) => event.startsWith('retry')), h.events.join('\n'));
  }
});

test('the stop signal reaches a reconnect in progress: the watch ends with a summary', async () => {
  const h = harness(['ok', 'lost']);
  h.world.reconnect = (signal) =>
    new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true });
      setImmediate(() => h.controller.abort());
    });
  const summary = await watchLoop(h.first, context, { intervalMs: 1000, backoff }, h.world);
  assert.equal(summary.stopped_by, 'signal');
  assert.equal(summary.ticks, 1);
});

test('each tick reports where its list came from; the summary the last source', async () => {
  const h = harness([]);
  const first = h.first;
  let samples = 0;
  const fallingBack: WatchSession = {
    ...first,
    get source() {
      return samples > 1 ? 'information_schema.PROCESSLIST' : 'performance_schema.processlist';
    },
    async sample(signal) {
      samples += 1;
      return first.sample(signal);
    },
  };
  const summary = await watchLoop(
    fallingBack,
    { ...context, source: 'performance_schema.processlist' },
    { intervalMs: 1000, count: 3, backoff },
    h.world,
  );
  assert.deepEqual(
    h.ticks.map((tick) => tick.source),
    ['performance_schema.processlist', 'information_schema.PROCESSLIST', 'information_schema.PROCESSLIST'],
  );
  assert.equal(summary.source, 'information_schema.PROCESSLIST');
});

test('the stop signal ends the watch with a summary', async () => {
  const h = harness([]);
  const sleep = h.world.sleep;
  h.world.sleep = async (ms, signal) => {
    if (h.ticks.length === 3) h.controller.abort();
    await sleep(ms, signal);
  };
  const summary = await watchLoop(h.first, context, { intervalMs: 1000, backoff }, h.world);
  assert.equal(summary.stopped_by, 'signal');
  assert.equal(summary.ticks, 3);
});
