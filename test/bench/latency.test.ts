import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile, summarizeLatencies } from '../../src/bench/latency.ts';

test('nearest-rank percentiles pick a sample that a request really took', () => {
  const ascending = Array.from({ length: 100 }, (_, index) => index + 1);
  assert.equal(percentile(ascending, 50), 50);
  assert.equal(percentile(ascending, 95), 95);
  assert.equal(percentile(ascending, 99), 99);
  assert.equal(percentile(ascending, 100), 100);
  assert.equal(percentile([7], 1), 7);
  // Ten samples: p95 and p99 are both the slowest, never a value between two samples.
  const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(ten, 50), 5);
  assert.equal(percentile(ten, 95), 10);
  assert.equal(percentile(ten, 99), 10);
});

test('percentile refuses no samples and ranks outside (0, 100]', () => {
  assert.throws(() => percentile([], 50), RangeError);
  assert.throws(() => percentile([1, 2], 0), RangeError);
  assert.throws(() => percentile([1, 2], 101), RangeError);
});

test('summarizeLatencies sorts unordered samples and rounds to microseconds', () => {
  const samples = new Float64Array([3.0004, 1.25, 2, 10.5, 0.1234567]);
  assert.deepEqual(summarizeLatencies(samples), {
    p50: 2,
    p95: 10.5,
    p99: 10.5,
    mean: 3.375,
    min: 0.123,
    max: 10.5,
  });
  assert.equal(samples[0], 3.0004, 'the caller’s samples are left in their order');
});

test('summarizeLatencies of no samples is null, not zeros', () => {
  assert.equal(summarizeLatencies([]), null);
});
