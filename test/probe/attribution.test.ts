import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attribute, type CutFacts } from '../../src/probe/attribution.ts';

const base: CutFacts = {
  kind: 'closed',
  idleMs: 3000,
  serverStillHasIt: false,
  waitTimeout: 28800,
  socket: false,
};

test('the server still holding a connection the probe lost: something in between cut it', () => {
  assert.deepEqual(attribute({ ...base, serverStillHasIt: true }), {
    component: 'between',
    evidence: 'server-still-had-it',
  });
  assert.equal(attribute({ ...base, kind: 'black-holed', serverStillHasIt: true }).component, 'between');
});

test('no answer at all is never the server, even when it had closed the connection meanwhile', () => {
  assert.deepEqual(attribute({ ...base, kind: 'black-holed', idleMs: 30_000_000 }), {
    component: 'between',
    evidence: 'no-answer',
  });
});

test('closed and gone from the server long before wait_timeout: a proxy that closes both sides', () => {
  assert.deepEqual(attribute(base), { component: 'between', evidence: 'before-wait-timeout' });
});

test('closed and gone at wait_timeout: the server (whole seconds, with a tolerance)', () => {
  assert.deepEqual(attribute({ ...base, waitTimeout: 3, idleMs: 3020 }), {
    component: 'server',
    evidence: 'at-wait-timeout',
  });
  assert.equal(attribute({ ...base, waitTimeout: 3, idleMs: 2100 }).component, 'server');
  assert.equal(attribute({ ...base, waitTimeout: 3, idleMs: 1900 }).component, 'between');
  assert.equal(attribute({ ...base, waitTimeout: 600, idleMs: 590_000 }).component, 'server');
  assert.equal(attribute({ ...base, waitTimeout: 600, idleMs: 580_000 }).component, 'between');
});

test("MySQL 8's error 4031 says the server closed it", () => {
  assert.deepEqual(attribute({ ...base, errno: 4031 }), {
    component: 'server',
    evidence: 'server-said-timeout',
  });
});

test('over a Unix socket only the server can cut', () => {
  assert.equal(attribute({ ...base, socket: true, kind: 'black-holed' }).component, 'server');
});
