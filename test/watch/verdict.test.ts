import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientVerdict, overallVerdict } from '../../src/watch/verdict.ts';

test('held ids and nothing replaced: stable, even while the pool grows or shrinks', () => {
  assert.equal(clientVerdict({ held: 5, present: 3, added: 0, gone: 0 }), 'stable');
  assert.equal(clientVerdict({ held: 5, present: 5, added: 2, gone: 0 }), 'stable');
  assert.equal(clientVerdict({ held: 5, present: 1, added: 0, gone: 2 }), 'stable');
});

test('ids that appear and go away: churning, whether or not any overlap', () => {
  assert.equal(clientVerdict({ held: 0, present: 1, added: 4, gone: 3 }), 'churning');
  assert.equal(clientVerdict({ held: 4, present: 3, added: 1, gone: 1 }), 'churning');
  assert.equal(clientVerdict({ held: 0, present: 0, added: 2, gone: 2 }), 'churning');
});

test('no connections and no churn: idle; seen once only: unknown', () => {
  assert.equal(clientVerdict({ held: 3, present: 0, added: 0, gone: 3 }), 'idle');
  assert.equal(clientVerdict({ held: 0, present: 0, added: 0, gone: 0 }), 'idle');
  assert.equal(clientVerdict({ held: 0, present: 3, added: 3, gone: 0 }), 'unknown');
});

test('overall: churn wins, then stable, then unknown, then idle; unseen short-lived connections are churn', () => {
  assert.equal(overallVerdict(['stable', 'churning', 'idle']), 'churning');
  assert.equal(overallVerdict(['stable', 'idle', 'unknown']), 'stable');
  assert.equal(overallVerdict(['unknown', 'idle']), 'unknown');
  assert.equal(overallVerdict([]), 'idle');
  assert.equal(overallVerdict(['stable'], 3), 'churning');
});
