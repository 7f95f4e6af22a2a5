import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffSnapshots } from '../../src/watch/diff.ts';
import { clientOf, hostWithoutPort } from '../../src/watch/snapshot.ts';
import { row, snapshot } from './fixtures.ts';

test('the first snapshot has nothing new or gone', () => {
  const diff = diffSnapshots(null, snapshot(0, [row(1), row(2)]));
  assert.equal(diff.first, true);
  assert.deepEqual(diff.added, []);
  assert.deepEqual(diff.gone, []);
  assert.equal(diff.elapsedSeconds, null);
  assert.equal(diff.deltas, null);
});

test('same ids: nothing new or gone; counters become deltas', () => {
  const before = snapshot(0, [row(1), row(2)], { Connections: 100 });
  const after = snapshot(2000, [row(2, { time: 3 }), row(1, { time: 3 })], {
    Connections: 104,
    Uptime: 1002,
  });
  const diff = diffSnapshots(before, after);
  assert.equal(diff.first, false);
  assert.deepEqual(diff.added, []);
  assert.deepEqual(diff.gone, []);
  assert.equal(diff.elapsedSeconds, 2);
  assert.deepEqual(diff.deltas, { connections: 4, threadsCreated: 0, abortedClients: 0 });
  assert.equal(diff.serverRestarted, false);
});

test('replaced ids are new and gone, with the client they belonged to', () => {
  const diff = diffSnapshots(
    snapshot(0, [row(1), row(2)]),
    snapshot(1000, [row(2), row(3, { user: 'web', host: 'localhost' })], { Uptime: 1001 }),
  );
  assert.deepEqual(
    diff.added.map((r) => r.id),
    [3],
  );
  assert.deepEqual(diff.gone, [
    {
      id: 1,
      user: 'app',
      host: '10.0.0.5:40001',
      client: 'app@10.0.0.5',
      reason: 'closed',
      lastCommand: 'Sleep',
      lastIdle: 1,
    },
  ]);
});

test('a sleeping connection gone as its idle time reached wait_timeout, with Aborted_clients rising, was closed by the server', () => {
  const before = snapshot(0, [
    row(1, { time: 598 }),
    row(2, { time: 10 }),
    row(3, { time: 597, command: 'Query' }),
  ]);
  const after = snapshot(2000, [], { Aborted_clients: 1, Uptime: 1002 });
  const reasons = Object.fromEntries(diffSnapshots(before, after).gone.map((g) => [g.id, g.reason]));
  assert.deepEqual(reasons, { 1: 'wait-timeout', 2: 'closed', 3: 'closed' });
});

test("a limit lowered between two ticks (SET GLOBAL during the watch): a close that fits the new one is the server's", () => {
  const before = snapshot(0, [row(1, { time: 2 }), row(2, { time: 0 })], {}, 28800);
  const after = snapshot(1000, [], { Aborted_clients: 1, Uptime: 1001 }, 3);
  const reasons = Object.fromEntries(diffSnapshots(before, after).gone.map((g) => [g.id, g.reason]));
  assert.deepEqual(reasons, { 1: 'wait-timeout', 2: 'closed' });
});

test('without Aborted_clients rising, an idle-looking close is just a close', () => {
  const before = snapshot(0, [row(1, { time: 599 })]);
  const after = snapshot(2000, [], { Aborted_clients: 0, Uptime: 1002 });
  assert.equal(diffSnapshots(before, after).gone[0]?.reason, 'closed');
});

test('Aborted_clients credits only as many idle closes as it rose, most idle first', () => {
  const before = snapshot(0, [row(1, { time: 598 }), row(2, { time: 599 }), row(3, { time: 597 })]);
  const after = snapshot(3000, [], { Aborted_clients: 2, Uptime: 1003 });
  const closed = diffSnapshots(before, after)
    .gone.filter((g) => g.reason === 'wait-timeout')
    .map((g) => g.id)
    .sort();
  assert.deepEqual(closed, [1, 2]);
});

test('a connection idle past the global wait_timeout had a longer session limit: not closed by it', () => {
  const before = snapshot(0, [row(1, { time: 700 })], {}, 600);
  const after = snapshot(2000, [], { Aborted_clients: 1, Uptime: 1002 }, 600);
  assert.equal(diffSnapshots(before, after).gone[0]?.reason, 'closed');
});

test('a connection last seen as Killed is reported as killed', () => {
  const diff = diffSnapshots(
    snapshot(0, [row(1, { command: 'Killed' })]),
    snapshot(1000, [], { Uptime: 1001 }),
  );
  assert.equal(diff.gone[0]?.reason, 'killed');
});

test('Uptime going back means a restart: every old id ended with it, every current id is new, no rates', () => {
  const before = snapshot(0, [row(1), row(2)], { Uptime: 5000, Connections: 900 });
  // Ids start again after a restart: id 1 now is a different connection.
  const after = snapshot(4000, [row(1, { time: 0 })], { Uptime: 2, Connections: 3 });
  const diff = diffSnapshots(before, after);
  assert.equal(diff.serverRestarted, true);
  assert.deepEqual(
    diff.gone.map((g) => [g.id, g.reason]),
    [
      [1, 'server-restart'],
      [2, 'server-restart'],
    ],
  );
  assert.deepEqual(
    diff.added.map((r) => r.id),
    [1],
  );
  assert.equal(diff.deltas, null);
});

test('a restart during a long gap is seen although Uptime grew', () => {
  // 60 s between samples; the server has been up for 20 s, though it was up 10 s before.
  const diff = diffSnapshots(snapshot(0, [row(1)], { Uptime: 10 }), snapshot(60_000, [], { Uptime: 20 }));
  assert.equal(diff.serverRestarted, true);
  const steady = diffSnapshots(
    snapshot(0, [row(1)], { Uptime: 10 }),
    snapshot(60_000, [row(1)], { Uptime: 70 }),
  );
  assert.equal(steady.serverRestarted, false);
});

test("a restart within the server's first seconds is seen by its Connections counter going back", () => {
  // Up 2 s, restarted, up 1 s one second later: within the Uptime slack, but Connections fell.
  const young = diffSnapshots(
    snapshot(0, [row(1)], { Uptime: 2, Connections: 9 }),
    snapshot(1000, [], { Uptime: 1, Connections: 2 }),
  );
  assert.equal(young.serverRestarted, true);
  const steady = diffSnapshots(
    snapshot(0, [row(1)], { Uptime: 2, Connections: 9 }),
    snapshot(1000, [row(1)], { Uptime: 3, Connections: 9 }),
  );
  assert.equal(steady.serverRestarted, false);
});

test('clients are user@host without the client port', () => {
  assert.equal(clientOf({ user: 'app', host: '10.0.0.5:51234' }), 'app@10.0.0.5');
  assert.equal(clientOf({ user: 'app', host: 'localhost' }), 'app@localhost');
  assert.equal(hostWithoutPort('::1:51234'), '::1');
  assert.equal(hostWithoutPort('db.example.com:3306'), 'db.example.com');
});
