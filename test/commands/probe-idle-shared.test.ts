/**
 * probe-idle over a fleet whose targets reach one server (a proxy and the server behind it,
 * here the server under two names): together their probes stay within half of the server's
 * free connections, measured by the server itself (Max_used_connections).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { createConnection } from 'mysql2/promise';
import type { ProbeFleetReport } from '../../src/commands/probe-idle/fleet.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { otherConnectionsLeft, statusCounter } from '../helpers/server-state.ts';
import { runCli } from '../helpers/target.ts';

const MAX_CONNECTIONS = 40;
let server: TestServer;
let admin: Connection;

before(async () => {
  server = await startTestServer({ args: ['--wait-timeout=3', `--max-connections=${MAX_CONNECTIONS}`] });
  admin = await createConnection({ socketPath: server.socket, user: 'root' });
  await admin.query('SET SESSION wait_timeout = 3600');
});
after(async () => {
  await admin?.end();
  await server?.stop();
});

test('two targets that reach one server share its half of the free connections; one left without room is told why', async () => {
  const names = [`127.0.0.1:${server.port}`, `mysql://root@127.0.0.1:${server.port}`];
  // Max_used_connections from now on: the admin connection alone.
  await admin.query('FLUSH STATUS');
  const [[row]] = await admin.query<RowDataPacket[]>('SELECT @@GLOBAL.max_connections AS max');
  assert.equal(Number(row?.max), MAX_CONNECTIONS);
  const result = await runCli([
    'probe-idle',
    ...names.flatMap((name) => ['--url', name]),
    '--parallel',
    '2',
    '--max',
    '10',
    '--json',
    '--no-defaults',
    '-u',
    'root',
    '--ssl-mode',
    'DISABLED',
  ]);
  const report = JSON.parse(result.stdout) as ProbeFleetReport;
  // The first to read the server's numbers takes its 12 probes; the other gets what is left of the
  // half: none when it read them after the first one's probes were open (free 39 - 14, half 12,
  // less the 14 held), 3 at most when it read them before (half of 39 is 19; 19 - 2 - 14).
  const [first, other] = [...report.servers].sort(
    (a, b) => (b.report?.run.probes ?? 0) - (a.report?.run.probes ?? 0),
  );
  assert.equal(first?.error, null, result.stdout);
  assert.equal(first?.report?.run.probes, 12);
  if (other?.error) {
    assert.match(
      other.error.message,
      new RegExp(
        `^The server is the one ${(first?.target ?? '').replace(/[.]/g, '\\.')} also reaches, whose probes hold 14 of its connections now .*: together they may take at most half of the free ones`,
      ),
    );
    assert.equal(result.code, ExitCode.usage, 'the refused target is the first failure');
  } else {
    assert.ok((other?.report?.run.probes ?? 99) <= 3, result.stdout);
    assert.equal(result.code, ExitCode.ok, result.stderr);
  }
  // The server's own count: the admin, 12 probes, the keepalive probe and a control connection,
  // and the refused target's control connection: within half of the 39 that were free.
  const used = await statusCounter(admin, 'Max_used_connections');
  assert.ok(used - 1 <= Math.floor((MAX_CONNECTIONS - 1) / 2), `${used} connections used at most`);
  assert.equal(await otherConnectionsLeft(admin, 1000), 0);
});
