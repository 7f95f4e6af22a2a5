import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientVerdict, overallVerdict, recycledAfterSeconds } from '../../src/watch/verdict.ts';

test('held ids and nothing replaced: stable, even while the pool grows or shrinks', () => {
  assert.equal(clientVerdict({ held: 5, present: 3, added: 0, gone: 0, recycled: 0, closed: 0 }), 'stable');
  assert.equal(clientVerdict({ held: 5, present: 5, added: 2, gone: 0, recycled: 0, closed: 0 }), 'stable');
  assert.equal(clientVerdict({ held: 5, present: 1, added: 0, gone: 2, recycled: 0, closed: 0 }), 'stable');
});

test('ids that appear and go away: churning, whether or not any overlap', () => {
  assert.equal(clientVerdict({ held: 0, present: 1, added: 4, gone: 3, recycled: 0, closed: 0 }), 'churning');
  assert.equal(clientVerdict({ held: 4, present: 3, added: 1, gone: 1, recycled: 0, closed: 0 }), 'churning');
  assert.equal(clientVerdict({ held: 0, present: 0, added: 2, gone: 2, recycled: 0, closed: 0 }), 'churning');
});

test('no connections and no churn: idle; seen once only: unknown', () => {
  assert.equal(clientVerdict({ held: 3, present: 0, added: 0, gone: 3, recycled: 0, closed: 0 }), 'idle');
  assert.equal(clientVerdict({ held: 0, present: 0, added: 0, gone: 0, recycled: 0, closed: 0 }), 'idle');
  assert.equal(clientVerdict({ held: 0, present: 3, added: 3, gone: 0, recycled: 0, closed: 0 }), 'unknown');
});

test('overall: churn wins, then stable, then unknown, then idle; unseen short-lived connections are churn', () => {
  assert.equal(overallVerdict(['stable', 'churning', 'idle']), 'churning');
  assert.equal(overallVerdict(['stable', 'idle', 'unknown']), 'stable');
  assert.equal(overallVerdict(['unknown', 'idle']), 'unknown');
  assert.equal(overallVerdict([]), 'idle');
  assert.equal(overallVerdict(['stable'], 3), 'churning');
});

test('ids replaced after a long life are a pool recycling: stable; a short-lived one among them is churn', () => {
  assert.equal(clientVerdict({ held: 30, present: 10, added: 1, gone: 1, recycled: 1, closed: 0 }), 'stable');
  assert.equal(
    clientVerdict({ held: 30, present: 10, added: 10, gone: 10, recycled: 10, closed: 0 }),
    'stable',
  );
  assert.equal(
    clientVerdict({ held: 30, present: 10, added: 2, gone: 2, recycled: 1, closed: 0 }),
    'churning',
  );
});

test('recycled means a minute, or half of a shorter wait_timeout, never under 10 s', () => {
  assert.equal(recycledAfterSeconds(28_800), 60);
  assert.equal(recycledAfterSeconds(600), 60);
  assert.equal(recycledAfterSeconds(60), 30);
  assert.equal(recycledAfterSeconds(5), 10);
  assert.equal(recycledAfterSeconds(0), 10);
});

test('a connection the server closed for idling is churn, whether or not the pool opened another', () => {
  assert.equal(clientVerdict({ held: 5, present: 1, added: 0, gone: 1, recycled: 0, closed: 1 }), 'churning');
  assert.equal(clientVerdict({ held: 0, present: 0, added: 0, gone: 1, recycled: 0, closed: 1 }), 'churning');
  assert.equal(clientVerdict({ held: 5, present: 2, added: 1, gone: 1, recycled: 0, closed: 1 }), 'churning');
});

test('other users hidden (no PROCESS): calm cannot be told, but churn that was seen is still churn', () => {
  assert.equal(overallVerdict(['stable'], 0, true), 'unknown');
  assert.equal(overallVerdict([], 0, true), 'unknown');
  assert.equal(overallVerdict(['stable', 'churning'], 0, true), 'churning');
  assert.equal(overallVerdict(['stable'], 0, false), 'stable');
});
