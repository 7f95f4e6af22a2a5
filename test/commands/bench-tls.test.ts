import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { BenchReport } from '../../src/bench/report.ts';
import { runBench } from '../../src/commands/bench/index.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { memoryIO } from '../helpers/io.ts';
import type { TestServer } from '../helpers/server.ts';
import { adminConnection, tcpTarget } from '../helpers/target.ts';
import { startTlsTestServer } from '../helpers/tls-server.ts';

let server: TestServer;
let admin: Connection;
before(async () => {
  server = await startTlsTestServer();
  admin = await adminConnection(server);
});
after(async () => {
  await admin?.end();
  await server?.stop();
});

async function counters(): Promise<{ connections: number; tls: number }> {
  const [rows] = await admin.query<RowDataPacket[]>(
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Connections', 'Ssl_accepts')",
  );
  const value = (name: string) => Number(rows.find((row) => row.Variable_name === name)?.Value);
  return { connections: value('Connections'), tls: value('Ssl_accepts') };
}

async function bench(sslMode: string): Promise<BenchReport> {
  const { io, captured } = memoryIO();
  const code = await runBench(
    { requests: 40, concurrency: 2, query: 'SELECT CONNECTION_ID()', json: true, yes: false },
    io,
    tcpTarget(server, io, { sslMode }),
  );
  assert.equal(code, ExitCode.ok, captured.stderr);
  return JSON.parse(captured.stdout) as BenchReport;
}

test('with --ssl-mode REQUIRED every connection of both runs is a TLS connection', async () => {
  const before = await counters();
  const report = await bench('REQUIRED');
  const after = await counters();
  assert.equal(report.server.tls, true);
  assert.equal(report.per_request?.connections_opened, 40);
  const opened = after.connections - before.connections;
  assert.ok(opened >= 40 + 2, `opened ${opened}`);
  assert.equal(
    after.tls - before.tls,
    opened,
    'the server accepted a TLS handshake on each connection it opened',
  );
});

test('PREFERRED uses the server’s TLS too; DISABLED opens the same connections without it', async () => {
  const preferred = await counters();
  assert.equal((await bench('PREFERRED')).server.tls, true);
  const disabled = await counters();
  assert.ok(disabled.tls - preferred.tls >= 40);
  const report = await bench('DISABLED');
  const after = await counters();
  assert.equal(report.server.tls, false);
  assert.equal(report.per_request?.connections_opened, 40);
  assert.equal(after.tls - disabled.tls, 0);
});
