import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBounded } from '../../src/fleet/run.ts';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    });
  });

test('at most `parallel` at once; every item runs once; results keep their order', async () => {
  let running = 0;
  let most = 0;
  const outcomes = await runBounded([5, 1, 4, 2, 3, 1, 1], { parallel: 3, deadlineMs: 1000 }, async (ms) => {
    running++;
    most = Math.max(most, running);
    await sleep(ms * 5);
    running--;
    return ms * 10;
  });
  assert.equal(most, 3);
  assert.deepEqual(
    outcomes.map((outcome) => (outcome.state === 'done' ? outcome.value : outcome.state)),
    [50, 10, 40, 20, 30, 10, 10],
  );
});

test('a server past its deadline is timed out and frees its slot, even if it ignores the abort', async () => {
  const started: number[] = [];
  const outcomes = await runBounded([0, 1, 2], { parallel: 1, deadlineMs: 50 }, async (item, signal) => {
    started.push(item);
    if (item === 0) await new Promise(() => undefined); // never settles, ignores its signal
    if (item === 1) await sleep(10_000, signal);
    return item;
  });
  assert.deepEqual(started, [0, 1, 2]);
  assert.deepEqual(
    outcomes.map((outcome) => outcome.state),
    ['timed-out', 'timed-out', 'done'],
  );
});

test('an abort stops starting work, aborts what runs, and keeps what finished', async () => {
  const controller = new AbortController();
  const outcomes = await runBounded(
    [1, 2, 3, 4],
    { parallel: 2, deadlineMs: 10_000, signal: controller.signal },
    async (item, signal) => {
      if (item === 1) return 'quick';
      if (item === 3) controller.abort();
      await sleep(10_000, signal);
      return 'slow';
    },
  );
  assert.deepEqual(
    outcomes.map((outcome) => outcome.state),
    ['done', 'interrupted', 'interrupted', 'not-run'],
  );
});

test('a failure is kept with its error', async () => {
  const [outcome] = await runBounded([1], { parallel: 4, deadlineMs: 100 }, async () => {
    throw new Error('refused');
  });
  assert.equal(outcome?.state, 'failed');
  assert.equal(outcome?.state === 'failed' && (outcome.error as Error).message, 'refused');
});

test('with a grace period, stopped work that winds down in time keeps what it learned', async () => {
  const controller = new AbortController();
  const outcomes = await runBounded(
    ['winds down', 'ignores the stop'],
    { parallel: 2, deadlineMs: 10_000, graceMs: 200, signal: controller.signal },
    async (item, signal) => {
      if (item === 'ignores the stop') {
        setTimeout(() => controller.abort(), 20);
        await new Promise(() => undefined);
      }
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      await sleep(30); // ending its connections
      return 'the bracket so far';
    },
  );
  assert.deepEqual(outcomes, [
    { state: 'interrupted', value: 'the bracket so far' },
    { state: 'interrupted' },
  ]);
});

test('past its deadline, work that winds down within the grace period is timed out and keeps what it learned', async () => {
  const outcomes = await runBounded([1], { parallel: 1, deadlineMs: 30, graceMs: 500 }, async (_, signal) => {
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    await sleep(20); // ending its probes on the server
    return { left_on_server: [42] };
  });
  assert.deepEqual(outcomes, [{ state: 'timed-out', value: { left_on_server: [42] } }]);
});
