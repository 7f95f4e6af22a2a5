import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  derivePoolRule,
  IDLE_CAP,
  idleTimeoutFor,
  LIFETIME_CAP,
  ruleWarnings,
} from '../../src/generate/rule.ts';

test('worked values: margin is 10 % of W within 2..60 s, and lifetime, idle and keepalive stay inside the budget', () => {
  const rows: Array<[number, number, number, number, number, number]> = [
    // W, margin, budget, lifetime, idle (1 s reaper), keepalive
    [28800, 60, 28740, 1800, 300, 600],
    [3600, 60, 3540, 1800, 300, 600],
    [600, 60, 540, 540, 300, 270],
    [300, 30, 270, 270, 269, 135],
    [60, 6, 54, 54, 53, 27],
    [30, 3, 27, 27, 26, 13],
    [10, 2, 8, 8, 7, 4],
    [6, 2, 4, 4, 3, 2],
  ];
  for (const [W, margin, budget, lifetime, idle, keepalive] of rows) {
    const rule = derivePoolRule(W);
    assert.deepEqual(
      [rule.margin, rule.budget, rule.lifetime, rule.idleTimeout, rule.keepalive],
      [margin, budget, lifetime, idle, keepalive],
      `W = ${W}`,
    );
  }
});

test('for every W from 6 s to a day, the pool retires a connection before the server would', () => {
  for (let W = 6; W <= 86400; W += W < 400 ? 1 : 97) {
    const rule = derivePoolRule(W);
    assert.notEqual(rule.mode, 'tiny');
    assert.ok(rule.lifetime < W && rule.lifetime >= 1, `lifetime below W = ${W}`);
    // A 1-second reaper acts at most one second late: still before W, with a second to spare.
    assert.ok(rule.idleTimeout + 1 <= W - 1, `idle + reaper tick < W = ${W}`);
    assert.ok(rule.keepalive * 2 <= rule.budget, `keepalive twice within the budget, W = ${W}`);
    assert.ok(rule.lifetime <= LIFETIME_CAP && rule.idleTimeout <= IDLE_CAP);
    assert.equal(rule.mode, rule.budget > LIFETIME_CAP ? 'capped' : 'normal');
  }
});

test('a tiny W (5 s or less) switches to keep-nothing-idle mode and says the timeout is wrong', () => {
  for (const W of [1, 2, 5]) {
    const rule = derivePoolRule(W);
    assert.equal(rule.mode, 'tiny');
    assert.equal(rule.idleTimeout, 1);
    const [warning] = ruleWarnings(rule);
    assert.match(warning ?? '', /almost certainly a mistake/);
    assert.match(warning ?? '', new RegExp(`wait_timeout is ${W} s`));
  }
  assert.equal(derivePoolRule(6).mode, 'normal');
});

test('the 28800 default is capped, and the warning says why', () => {
  const rule = derivePoolRule(28800);
  assert.equal(rule.mode, 'capped');
  const [warning] = ruleWarnings(rule);
  assert.match(warning ?? '', /capped at 1800 s/);
  assert.match(warning ?? '', /rebalancing and failover/);
  assert.deepEqual(ruleWarnings(derivePoolRule(600)), []);
});

test('a slower reaper takes its period off the idle budget; never below 1 s', () => {
  assert.equal(idleTimeoutFor(54, 18), 36);
  assert.equal(idleTimeoutFor(28740, 20), 300);
  assert.equal(idleTimeoutFor(2, 5), 1);
});

test('nonsense timeouts are refused', () => {
  assert.throws(() => derivePoolRule(0), RangeError);
  assert.throws(() => derivePoolRule(1.5), RangeError);
});
