import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STATUS_COUNTERS, type TimeoutFacts } from '../../src/commands/check-timeout/facts.ts';
import { buildReport } from '../../src/commands/check-timeout/report.ts';
import { identifyServer } from '../../src/server/identity.ts';

/** Facts as a MariaDB server would report them; each test changes what it is about. */
function facts(overrides: {
  global?: Record<string, string>;
  session?: Partial<TimeoutFacts['session']>;
  status?: Record<string, number>;
  origin?: TimeoutFacts['origin'];
}): TimeoutFacts {
  const global = {
    version: '10.11.19-MariaDB-0+deb12u1',
    version_comment: 'Debian 12',
    wait_timeout: '600',
    interactive_timeout: '600',
    max_connections: '151',
    thread_cache_size: '151',
    ...overrides.global,
  };
  return {
    identity: identifyServer(global),
    global,
    session: {
      wait_timeout: Number(global.wait_timeout),
      interactive_timeout: Number(global.interactive_timeout),
      ...overrides.session,
    },
    status: {
      Uptime: 86400,
      Connections: 500,
      Threads_created: 5,
      Threads_connected: 3,
      Max_used_connections: 10,
      Aborted_clients: 0,
      Aborted_connects: 0,
      ...overrides.status,
    },
    origin: overrides.origin ?? { source: 'CONFIG', path: '/etc/mysql/my.cnf' },
    connectionId: 42,
  };
}

const codes = (report: ReturnType<typeof buildReport>) => report.findings.map((finding) => finding.code);
const where = { address: 'socket /run/mysqld/mysqld.sock', user: 'root' };

test('a sensible timeout on a quiet server is one ok finding', () => {
  const report = buildReport(facts({}), where);
  assert.deepEqual(codes(report), ['wait-timeout-ok']);
  assert.equal(report.application_timeout, 600);
  assert.equal(report.global.wait_timeout, 600);
  assert.equal(report.expect, null);
});

test('timeout bands: tiny is critical, short and default and huge are warnings', () => {
  const band = (wait: string) =>
    buildReport(facts({ global: { wait_timeout: wait, interactive_timeout: wait } }), where).findings[0];
  assert.deepEqual([band('5')?.code, band('5')?.severity], ['wait-timeout-very-low', 'critical']);
  assert.deepEqual([band('9')?.code, band('10')?.code], ['wait-timeout-very-low', 'wait-timeout-low']);
  assert.deepEqual([band('30')?.code, band('30')?.severity], ['wait-timeout-low', 'warning']);
  assert.deepEqual([band('60')?.code, band('60')?.severity], ['wait-timeout-ok', 'ok']);
  assert.deepEqual([band('28800')?.code, band('28800')?.severity], ['wait-timeout-default', 'warning']);
  assert.deepEqual([band('31536000')?.code, band('31536000')?.severity], ['wait-timeout-high', 'warning']);
});

test('interactive and session values that differ are explained', () => {
  const report = buildReport(
    facts({ global: { interactive_timeout: '28800' }, session: { wait_timeout: 100 } }),
    where,
  );
  assert.ok(codes(report).includes('interactive-differs'));
  assert.ok(codes(report).includes('session-differs-from-global'));
  assert.equal(report.application_timeout, 100, 'pools get the session value');
  assert.match(report.findings.find((f) => f.code === 'interactive-differs')?.message ?? '', /mysql shell/);
});

test('derived figures: connection rate, thread cache hit rate, aborted ratio, max_connections use', () => {
  const report = buildReport(
    facts({
      status: {
        Uptime: 100,
        Connections: 2000,
        Threads_created: 1000,
        Aborted_clients: 100,
        Max_used_connections: 151,
      },
    }),
    where,
  );
  assert.deepEqual(report.derived, {
    connections_per_second: 20,
    thread_cache_hit_rate: 0.5,
    aborted_clients_ratio: 0.05,
    max_connections_used_ratio: 1,
  });
  for (const code of [
    'high-connection-rate',
    'thread-cache-misses',
    'aborted-clients',
    'max-connections-near',
  ]) {
    assert.ok(codes(report).includes(code), code);
  }
  assert.equal(report.findings[0]?.severity, 'critical', 'worst first: max_connections reached');
});

test('no division by zero on a server that has just started', () => {
  const report = buildReport(facts({ status: { Uptime: 0, Connections: 0, Threads_created: 0 } }), where);
  assert.equal(report.derived.connections_per_second, null);
  assert.equal(report.derived.thread_cache_hit_rate, null);
});

test('a value set at run time is flagged as not persisted; --expect compares the global value', () => {
  const report = buildReport(facts({ origin: { source: 'SQL', path: null } }), where, 300);
  assert.ok(codes(report).includes('wait-timeout-not-persisted'));
  assert.deepEqual(report.expect, { wait_timeout: 300, matches: false });
  assert.ok(codes(report).includes('expectation-failed'));
  assert.deepEqual(buildReport(facts({}), where, 600).expect, { wait_timeout: 600, matches: true });
});

test('flavor and managed services are recognised from what the server says', () => {
  assert.equal(
    identifyServer({ version: '8.0.36', version_comment: 'MySQL Community Server - GPL' }).flavor,
    'MySQL',
  );
  assert.equal(
    identifyServer({ version: '8.0.35-27', version_comment: 'Percona Server (GPL), Release 27' }).flavor,
    'Percona Server',
  );
  assert.equal(
    identifyServer({ version: '8.0.35', basedir: '/rdsdbbin/mysql-8.0.35.R2/' }).managed?.provider,
    'Amazon RDS',
  );
  assert.equal(
    identifyServer({ version: '8.0.28', aurora_version: '3.04.0' }).managed?.provider,
    'Amazon Aurora',
  );
  assert.equal(identifyServer({ version: '10.11.19-MariaDB' }).managed, null);
});

test('--json keeps its promise: a status counter the server did not report is null, not missing', () => {
  const status = { Uptime: 100, Connections: 50 };
  const report = buildReport({ ...facts({}), status }, where);
  const json = JSON.parse(JSON.stringify(report)) as { status: Record<string, unknown> };
  assert.deepEqual(Object.keys(json.status).sort(), [...STATUS_COUNTERS].sort());
  assert.equal(json.status.Aborted_connects, null);
  assert.equal(json.status.Uptime, 100);
  assert.equal(report.derived.aborted_clients_ratio, null);
});
