import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { runRequests } from '../../src/bench/workers.ts';

/** A request that takes a turn of the event loop and counts how many run at once. */
function countingRequest() {
  const state = { inFlight: 0, most: 0, calls: 0 };
  const request = async () => {
    state.calls++;
    state.inFlight++;
    state.most = Math.max(state.most, state.inFlight);
    await nextTurn();
    state.inFlight--;
    return 100 + (state.calls % 3);
  };
  return { state, request };
}

test('runs exactly the planned requests, never more than `concurrency` at once', async () => {
  const { state, request } = countingRequest();
  const progress: number[] = [];
  const measurement = await runRequests(request, {
    requests: 25,
    concurrency: 4,
    onProgress: (done) => progress.push(done),
  });
  assert.equal(state.calls, 25);
  assert.equal(state.most, 4);
  assert.equal(measurement.completed, 25);
  assert.equal(measurement.interrupted, false);
  assert.equal(measurement.latenciesMs.length, 25);
  assert.equal(measurement.threadIds.length, 25);
  assert.deepEqual(new Set(measurement.threadIds), new Set([100, 101, 102]));
  assert.deepEqual(
    progress,
    Array.from({ length: 25 }, (_, index) => index + 1),
  );
});

test('latency is each request’s own time on the injected clock; elapsed covers the run', async () => {
  let now = 0;
  const clock = () => now;
  const request = async () => {
    now += 3;
    return 1;
  };
  const measurement = await runRequests(request, { requests: 4, concurrency: 1 }, clock);
  assert.deepEqual([...measurement.latenciesMs], [3, 3, 3, 3]);
  assert.equal(measurement.elapsedMs, 12);
});

test('an abort stops new requests; requests in flight finish and are counted', async () => {
  const stop = new AbortController();
  const { state, request } = countingRequest();
  const measurement = await runRequests(request, {
    requests: 1000,
    concurrency: 3,
    signal: stop.signal,
    onProgress: (done) => {
      if (done === 10) stop.abort();
    },
  });
  assert.equal(measurement.interrupted, true);
  assert.equal(measurement.planned, 1000);
  assert.ok(measurement.completed >= 10 && measurement.completed <= 12, `completed ${measurement.completed}`);
  assert.equal(state.calls, measurement.completed, 'nothing started after the abort was left unfinished');
  assert.equal(state.inFlight, 0);
});

test('the first failure stops the others after their current request, then is thrown', async () => {
  const { state, request } = countingRequest();
  let calls = 0;
  const failing = async () => {
    calls++;
    if (calls === 5) throw new Error('boom');
    return request();
  };
  await assert.rejects(runRequests(failing, { requests: 100, concurrency: 4 }), /boom/);
  assert.equal(state.inFlight, 0, 'every other request had finished when the failure was thrown');
  assert.ok(calls < 10, `stopped promptly (${calls} calls)`);
});
