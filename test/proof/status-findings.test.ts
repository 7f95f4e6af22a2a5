/**
 * check-timeout's findings from status counters, provoked on a private throwaway server rather
 * than written into fixtures: thread-cache-misses, aborted-connects, max-connections-near and
 * session-differs-from-global. And the --json promise that every key is present: a status
 * counter the server did not report (a misspelled name) is null, never silently missing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Connection, createConnection } from 'mysql2/promise';
import { STATUS_COUNTERS } from '../../src/commands/check-timeout/facts.ts';
import { runCheckTimeout } from '../../src/commands/check-timeout/index.ts';
import type { TimeoutReport } from '../../src/commands/check-timeout/report.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { memoryIO } from '../helpers/io.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, tcpTarget } from '../helpers/target.ts';

const MAX_CONNECTIONS = 10;
let server: TestServer;
let admin: Connection;
before(async () => {
  // No thread cache: every connection makes the server create a thread.
  server = await startTestServer({
    args: ['--thread-cache-size=0', `--max-connections=${MAX_CONNECTIONS}`],
  });
  admin = await adminConnection(server);
  await admin.query("CREATE USER 'proof'@'%' IDENTIFIED BY 'proof-pw'");
});
after(async () => {
  await admin?.end();
  await server?.stop();
});

async function check(flags: Record<string, string> = {}): Promise<TimeoutReport> {
  const { io, captured } = memoryIO();
  const code = await runCheckTimeout({ json: true }, io, tcpTarget(server, io, flags));
  assert.equal(code, ExitCode.ok, captured.stderr);
  return JSON.parse(captured.stdout) as TimeoutReport;
}

const codes = (report: TimeoutReport) => report.findings.map((finding) => finding.code);

const login = (password: string) =>
  createConnection({ host: server.host, port: server.port, user: 'proof', password });

test('every status counter check-timeout reads exists on the real server (a misspelled name would be null)', async () => {
  const report = await check();
  assert.deepEqual(Object.keys(report.status).sort(), [...STATUS_COUNTERS].sort(), 'every key, always');
  for (const name of STATUS_COUNTERS) {
    assert.equal(typeof report.status[name], 'number', `${name} is reported by the server`);
  }
  assert.deepEqual(
    codes(report).filter((code) => code !== 'wait-timeout-default'),
    [],
  );
});

test('thread-cache-misses: a thousand connections without a thread cache', async () => {
  for (let i = 0; i < 1000; i++) {
    const connection = await login('proof-pw');
    await connection.end();
  }
  const report = await check();
  assert.ok(codes(report).includes('thread-cache-misses'), codes(report).join(', '));
  assert.ok((report.derived.thread_cache_hit_rate ?? 1) < 0.1, String(report.derived.thread_cache_hit_rate));
  assert.match(
    report.findings.find((f) => f.code === 'thread-cache-misses')?.advice ?? '',
    /Raise thread_cache_size \(now 0\)/,
  );
});

test('aborted-connects: failed logins, at least 10 and 5 % of Connections', async () => {
  let refused = 0;
  for (let i = 0; i < 80; i++) {
    await login('wrong-pw').then(
      (connection) => connection.end(),
      (err: { errno?: number }) => {
        assert.equal(err.errno, 1045);
        refused++;
      },
    );
  }
  assert.equal(refused, 80);
  const report = await check();
  assert.ok(codes(report).includes('aborted-connects'), codes(report).join(', '));
  assert.ok((report.status.Aborted_connects ?? 0) >= 80);
});

test('session-differs-from-global: init_connect changes what a pool gets', async () => {
  // init_connect does not run for a user with SUPER: check as the plain user.
  await admin.query("SET GLOBAL init_connect = 'SET SESSION wait_timeout = 77'");
  try {
    const report = await check({ user: 'proof', password: 'proof-pw' });
    assert.ok(codes(report).includes('session-differs-from-global'), codes(report).join(', '));
    assert.equal(report.session.wait_timeout, 77);
    assert.equal(report.application_timeout, 77, 'a pool gets the session value');
    assert.equal(report.global.wait_timeout, 28800);
  } finally {
    await admin.query("SET GLOBAL init_connect = ''");
  }
});

test('max-connections-near: connections held open up to the limit', async () => {
  const held: Connection[] = [];
  try {
    // The admin connection is open too; check-timeout's own makes the last one.
    for (let i = 0; i < MAX_CONNECTIONS - 2; i++) held.push(await login('proof-pw'));
    const report = await check();
    assert.ok(codes(report).includes('max-connections-near'), codes(report).join(', '));
    assert.equal(report.status.Max_used_connections, MAX_CONNECTIONS);
    assert.equal(report.findings[0]?.code, 'max-connections-near', 'reached: critical, worst first');
    assert.equal(report.findings[0]?.severity, 'critical');
  } finally {
    await Promise.all(held.map((connection) => connection.end()));
  }
});
