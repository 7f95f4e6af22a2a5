import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planRefusals, rateRefusal, SAFE_LIMITS } from '../../src/bench/safety.ts';

const roomy = { maxConnections: 151, threadsConnected: 1 };

test('the defaults (500 requests, 4 at once) are within the limits of a stock server', () => {
  assert.deepEqual(planRefusals({ requests: 500, concurrency: 4, ...roomy }), []);
  assert.deepEqual(
    planRefusals({ requests: SAFE_LIMITS.requests, concurrency: SAFE_LIMITS.concurrency, ...roomy }),
    [],
    'the limits themselves are allowed',
  );
});

test('too many connections in total, or at once, are refused with the flag named', () => {
  const reasons = planRefusals({ requests: 2001, concurrency: 17, ...roomy });
  assert.equal(reasons.length, 2);
  assert.match(reasons[0] ?? '', /--requests 2001 .* 2001 connections, more than the 2000/);
  assert.match(reasons[1] ?? '', /--concurrency 17 .* more than the 16/);
});

test('concurrency is refused when it would take more than half the free connection slots', () => {
  const reasons = planRefusals({ requests: 100, concurrency: 8, maxConnections: 20, threadsConnected: 6 });
  assert.equal(reasons.length, 1);
  assert.match(
    reasons[0] ?? '',
    /more than 50 % of the server's 14 free connection slots \(max_connections 20, 6 connected\)/,
  );
  assert.deepEqual(
    planRefusals({ requests: 100, concurrency: 7, maxConnections: 20, threadsConnected: 6 }),
    [],
  );
  // A full server has no free slots at all.
  assert.equal(
    planRefusals({ requests: 10, concurrency: 1, maxConnections: 10, threadsConnected: 12 }).length,
    1,
  );
});

test('a warm-up faster than the safe rate is a reason to stop; at or under it is not', () => {
  assert.equal(rateRefusal(SAFE_LIMITS.connectionsPerSecond, 4), null);
  assert.match(
    rateRefusal(9000.4, 4) ?? '',
    /9000 connections per second with --concurrency 4, more than the 5000/,
  );
  assert.equal(
    rateRefusal(50, 4, { ...SAFE_LIMITS, connectionsPerSecond: 40 })?.includes('more than the 40'),
    true,
  );
});
