import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runReport, speedupOf } from '../../src/bench/report.ts';
import type { Measurement } from '../../src/bench/workers.ts';

const measurement = (
  latencies: number[],
  threadIds: number[],
  elapsedMs: number,
  planned = latencies.length,
): Measurement => ({
  planned,
  completed: latencies.length,
  elapsedMs,
  latenciesMs: Float64Array.from(latencies),
  threadIds,
  interrupted: latencies.length < planned,
});

test('a run reports its rate, latency, the counter delta and each thread id once, ascending', () => {
  const report = runReport(measurement([2, 4, 6, 8], [31, 30, 31, 29], 8), 4);
  assert.deepEqual(report, {
    requests: 4,
    planned_requests: 4,
    seconds: 0.008,
    requests_per_second: 500,
    latency_ms: { p50: 4, p95: 8, p99: 8, mean: 5, min: 2, max: 8 },
    connections_opened: 4,
    thread_ids: [29, 30, 31],
  });
});

test('an interrupted run keeps what it planned; a run with nothing done has no latency', () => {
  const partial = runReport(measurement([1, 1], [5, 6], 2, 10), 2);
  assert.equal(partial.requests, 2);
  assert.equal(partial.planned_requests, 10);
  const empty = runReport(measurement([], [], 0, 10), 0);
  assert.equal(empty.latency_ms, null);
  assert.equal(empty.requests_per_second, 0);
});

test('speedup: throughput ratio, p50 ratio and what connecting adds to each request', () => {
  const perRequest = runReport(measurement([2, 2, 3, 3], [1, 2, 3, 4], 4), 4);
  const pooled = runReport(measurement([0.5, 0.5, 0.5, 0.5], [9, 9, 9, 9], 1), 1);
  assert.deepEqual(speedupOf(perRequest, pooled), { throughput: 4, latency_p50: 4, connect_cost_ms: 2 });
});

test('no speedup without two runs that both completed requests', () => {
  const done = runReport(measurement([1], [1], 1), 1);
  assert.equal(speedupOf(done, null), null);
  assert.equal(speedupOf(null, done), null);
  assert.equal(speedupOf(done, runReport(measurement([], [], 0, 5), 0)), null);
});
