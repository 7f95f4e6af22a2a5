import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PLAN, decide, isNarrowEnough, nextRung, type PlanParams } from '../../src/probe/plan.ts';
import { simulate } from './simulate.ts';

const params: PlanParams = { ...DEFAULT_PLAN, maxIdleMs: 1_800_000 };

test('the climb is geometric from the first rung and stops at the top', () => {
  assert.equal(nextRung(0, params), 1000);
  assert.equal(nextRung(1000, params), 1250);
  assert.equal(nextRung(100_000, params), 125_000);
  assert.equal(nextRung(1_700_000, params), 1_800_000);
});

test('climbing: the probe silent longest is pinged when it reaches the next rung, not before', () => {
  const second = { id: 2, idleMs: 900, pendingAtMs: null };
  const probes = [{ id: 1, idleMs: 1200, pendingAtMs: null }, second];
  const early = decide({ lo: 1000, hi: null }, probes, 2, params);
  assert.deepEqual(early.ping, []);
  assert.equal(early.wakeInMs, 50);
  const due = decide({ lo: 1000, hi: null }, [{ id: 1, idleMs: 1250, pendingAtMs: null }, second], 2, params);
  assert.deepEqual(due.ping, [1]);
});

test('climbing does not wait for a ping in flight: the next rung builds on it', () => {
  const decision = decide(
    { lo: 1000, hi: null },
    [
      { id: 1, idleMs: 100, pendingAtMs: 1250 },
      { id: 2, idleMs: 1600, pendingAtMs: null },
    ],
    2,
    params,
  );
  assert.deepEqual(decision.ping, [2]);
});

test('climbing ends without a cut once the top rung survived', () => {
  const decision = decide({ lo: 1_800_000, hi: null }, [{ id: 1, idleMs: 5, pendingAtMs: null }], 1, params);
  assert.equal(decision.finished, true);
});

test('narrowing: probes in the bracket are pinged at the middle of the open stretch; those beyond the cut retire', () => {
  const decision = decide(
    { lo: 40_000, hi: 50_000 },
    [
      { id: 1, idleMs: 51_000, pendingAtMs: null },
      { id: 2, idleMs: 46_000, pendingAtMs: null },
      { id: 3, idleMs: 30_000, pendingAtMs: null },
    ],
    3,
    params,
  );
  assert.deepEqual(decision.retire, [1]);
  assert.deepEqual(decision.ping, [2]);
  // Probe 3 reaches the middle of the stretch above 46 s (46..50 is narrower than the goal of 5 s,
  // so 40..46 it is: its middle 43 s) in 13 s.
  assert.equal(decision.wakeInMs, 13_000);
});

test('narrow enough: 10 % of the limit, or 1 s for short limits', () => {
  assert.equal(isNarrowEnough({ lo: 90_000, hi: 100_000 }, params), true);
  assert.equal(isNarrowEnough({ lo: 89_000, hi: 100_000 }, params), false);
  assert.equal(isNarrowEnough({ lo: 2000, hi: 3000 }, params), true);
  assert.equal(isNarrowEnough({ lo: 2000, hi: null }, params), false);
});

test('against a model path, the bracket contains the limit and is as narrow as asked', () => {
  for (const limit of [2500, 4000, 10_000, 61_000, 95_000, 350_000, 900_000, 1_200_000]) {
    const result = simulate(limit);
    const { lo, hi } = result.bracket;
    assert.ok(hi !== null, `${limit}: a cut was found`);
    assert.ok(lo < limit && limit <= hi, `${limit} ms lies in (${lo}, ${hi}]`);
    assert.ok(hi - lo <= Math.max(1000, 0.1 * hi), `${limit}: bracket ${lo}..${hi} is narrow`);
    assert.ok(result.connections <= 24, `${limit}: ${result.connections} connections`);
  }
});

test('a path that never cuts: the climb reaches the top and says so', () => {
  const result = simulate(10_000_000, { maxIdleMs: 60_000 });
  assert.equal(result.bracket.hi, null);
  assert.equal(result.bracket.lo, 60_000);
  assert.equal(result.connections, 12);
});

test('with a handful of probes the plan still finishes', () => {
  const result = simulate(30_000, { capacity: 3 });
  assert.ok(result.bracket.hi !== null && result.bracket.lo < 30_000 && 30_000 <= result.bracket.hi);
});
