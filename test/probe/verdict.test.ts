import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probeCapacity } from '../../src/probe/capacity.ts';
import { judge, type VerdictInput } from '../../src/probe/verdict.ts';

const between: VerdictInput = {
  bracket: { lo: 3950, hi: 4000 },
  cut: { kind: 'black-holed', component: 'between', evidence: 'server-still-had-it' },
  keepaliveOutcome: 'alive',
  waitTimeout: 28800,
  interrupted: false,
};

test('black-holed in between, keepalive kept a flow: exit 1, keepalive needed, timeout = longest survived', () => {
  assert.deepEqual(judge(between), {
    verdict: 'black-holed-between',
    timeout: 3,
    keepalive: 'needed',
    cutsEarly: true,
  });
});

test('closed in between and keepalive closed too: keepalive does not help', () => {
  const result = judge({
    ...between,
    bracket: { lo: 295_000, hi: 300_000 },
    cut: { kind: 'closed', component: 'between', evidence: 'before-wait-timeout' },
    keepaliveOutcome: 'closed',
  });
  assert.deepEqual(result, {
    verdict: 'closed-between',
    timeout: 295,
    keepalive: 'does-not-help',
    cutsEarly: true,
  });
});

test('the server first: exit 0, generate from wait_timeout', () => {
  const result = judge({
    ...between,
    waitTimeout: 3,
    bracket: { lo: 2950, hi: 2999 },
    cut: { kind: 'closed', component: 'server', evidence: 'at-wait-timeout' },
  });
  assert.deepEqual(result, { verdict: 'server', timeout: 3, keepalive: 'not-applicable', cutsEarly: false });
});

test('nothing cut up to the top: exit 0', () => {
  const result = judge({ ...between, bracket: { lo: 1_800_000, hi: null }, cut: null });
  assert.equal(result.verdict, 'no-cut');
  assert.equal(result.cutsEarly, false);
  assert.equal(result.timeout, 28800);
});

test('interrupted before a cut was attributed', () => {
  const result = judge({ ...between, interrupted: true, cut: null, bracket: { lo: 2000, hi: null } });
  assert.equal(result.verdict, 'interrupted');
  assert.equal(result.cutsEarly, false);
});

test('probes take at most half of the free connections; too few free: refused with the numbers', () => {
  assert.deepEqual(probeCapacity({ maxConnections: 151, threadsConnected: 3, maxUserConnections: 0 }, 12), {
    probes: 12,
  });
  assert.deepEqual(probeCapacity({ maxConnections: 30, threadsConnected: 10, maxUserConnections: 0 }, 12), {
    probes: 8,
  });
  assert.deepEqual(probeCapacity({ maxConnections: 151, threadsConnected: 3, maxUserConnections: 10 }, 12), {
    probes: 3,
  });
  // Other targets of the same fleet hold connections on this server: they come off its half.
  const roomy = { maxConnections: 151, threadsConnected: 3, maxUserConnections: 0 };
  assert.deepEqual(probeCapacity(roomy, 12, { connections: 14, targets: ['lb:3306'] }), { probes: 12 });
  assert.deepEqual(
    probeCapacity({ ...roomy, maxConnections: 50 }, 12, { connections: 14, targets: ['lb:3306'] }),
    {
      probes: 7,
    },
  );
  const shared = probeCapacity({ ...roomy, maxConnections: 40 }, 12, {
    connections: 14,
    targets: ['lb:3306'],
  });
  assert.ok('refused' in shared && /^The server is the one lb:3306 also reaches/.test(shared.refused));
  const refused = probeCapacity({ maxConnections: 20, threadsConnected: 12, maxUserConnections: 0 }, 12);
  assert.ok('refused' in refused);
  assert.match(refused.refused, /max_connections 20, Threads_connected 12/);
});
