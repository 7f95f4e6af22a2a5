/**
 * probe-idle against a real server whose wait_timeout (3 s) is the first limit: over TCP on
 * 127.0.0.1 (nothing in between) and over its Unix socket, in-process and through the CLI,
 * with Ctrl-C, and with too few free connections.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { createConnection } from 'mysql2/promise';
import { runCheckTimeout } from '../../src/commands/check-timeout/index.ts';
import { runProbeIdle } from '../../src/commands/probe-idle/index.ts';
import type { ProbeIdleReport } from '../../src/commands/probe-idle/report.ts';
import { COMMAND_LINE, resolveConnection } from '../../src/connection/resolve.ts';
import { flagsLayer } from '../../src/connection/sources.ts';
import { targetFor } from '../../src/connection/target.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { PROGRAM_NAME } from '../../src/probe/mysql.ts';
import { memoryIO } from '../helpers/io.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { otherConnectionsLeft } from '../helpers/server-state.ts';
import { cliFlags, runCli, startCli, tcpTarget } from '../helpers/target.ts';

const WAIT_TIMEOUT = 3;
let server: TestServer;
let admin: Connection;

before(async () => {
  server = await startTestServer({ args: [`--wait-timeout=${WAIT_TIMEOUT}`, '--performance-schema=ON'] });
  admin = await createConnection({ socketPath: server.socket, user: 'root' });
  // The admin connection must outlive the 3 s limit between tests (MariaDB's max_connections floor is 10).
  await admin.query('SET SESSION wait_timeout = 3600');
});
after(async () => {
  await admin?.end();
  await server?.stop();
});

/**
 * Connections other than the admin's own: what a run could leave behind. The last ones a run
 * ended may still be closing; a second is far under the 3 s in which the server would end a
 * forgotten one by itself. Patience 0: the count now.
 */
function othersOnServer(patienceMs = 1000): Promise<number> {
  return otherConnectionsLeft(admin, patienceMs);
}

async function probeRun(socket: boolean) {
  const { io, captured } = memoryIO();
  const target = socket
    ? targetFor(
        resolveConnection(
          [flagsLayer({ socket: server.socket, user: 'root', protocol: 'SOCKET' }, COMMAND_LINE)],
          {
            loginUser: 'nobody',
            socketExists: () => true,
            platform: process.platform,
          },
        ),
        io,
      )
    : tcpTarget(server, io);
  let report: ProbeIdleReport | undefined;
  const running = runProbeIdle({ max: 60, probes: 12, json: true }, io, target, {
    onReport: (made) => {
      report = made;
    },
  });
  // While the probes idle, the server sees them named.
  await new Promise((resolve) => setTimeout(resolve, 700));
  const [named] = await admin.query<RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM performance_schema.session_connect_attrs WHERE ATTR_NAME = "program_name" AND ATTR_VALUE = ?',
    [PROGRAM_NAME],
  );
  const code = await running;
  assert.ok(report, captured.stderr);
  assert.deepEqual(JSON.parse(captured.stdout), JSON.parse(JSON.stringify(report)));
  return { code, report, named: Number(named[0]?.n), captured };
}

test('over TCP with nothing in between: the server is the first limit, the bracket contains wait_timeout, exit 0', async () => {
  const { code, report, named } = await probeRun(false);
  assert.equal(code, ExitCode.ok);
  assert.equal(report.verdict, 'server');
  assert.equal(report.server.wait_timeout, WAIT_TIMEOUT);
  assert.ok(report.limit);
  assert.equal(report.limit.component, 'server');
  assert.equal(report.limit.kind, 'closed');
  assert.ok(
    report.limit.lower_seconds <= WAIT_TIMEOUT && WAIT_TIMEOUT <= report.limit.upper_seconds,
    `${WAIT_TIMEOUT} s in ${report.limit.lower_seconds}–${report.limit.upper_seconds}`,
  );
  assert.equal(report.advice.timeout, WAIT_TIMEOUT);
  assert.equal(report.advice.generate, `dbcache generate <framework> --timeout ${WAIT_TIMEOUT}`);
  assert.equal(report.advice.keepalive, 'not-applicable');
  // Twelve probes and the keepalive probe, each naming itself.
  assert.equal(named, 13);
  assert.ok(report.probes.some((probe) => probe.outcome === 'alive'));
  assert.deepEqual(report.run.left_on_server, []);
  assert.equal(await othersOnServer(), 0, 'no probe connection is left on the server');
});

test('over the Unix socket: only the server is probed, and the report says why', async () => {
  const { code, report } = await probeRun(true);
  assert.equal(code, ExitCode.ok);
  assert.equal(report.connection.transport, 'socket');
  assert.equal(report.verdict, 'server');
  assert.equal(report.limit?.evidence, 'unix-socket');
  assert.equal(report.keepalive, null, 'no TCP keepalive over a socket');
  assert.ok(report.advice.messages.some((message) => /Unix socket nothing sits between/.test(message)));
  assert.equal(await othersOnServer(), 0);
});

test('the CLI: --json prints the report; in a pipe the progress comes as plain lines', async () => {
  const json = await runCli(['probe-idle', ...cliFlags(server), '--max', '20', '--json']);
  assert.equal(json.code, ExitCode.ok, json.stderr);
  const report = JSON.parse(json.stdout) as ProbeIdleReport;
  assert.equal(report.verdict, 'server');
  const text = await runCli(['probe-idle', ...cliFlags(server), '--max', '20']);
  assert.equal(text.code, ExitCode.ok, text.stderr);
  assert.match(text.stdout, /^\[0:01\] probe 1: alive after 1\.\d\d s$/m);
  assert.match(text.stdout, /The server's wait_timeout closes idle connections first/);
  assert.match(text.stdout, /dbcache generate <framework> --timeout 3/);
  assert.ok(!text.stdout.includes('\u001b'), 'no escape codes in a pipe');
  assert.equal(await othersOnServer(), 0);
});

test('--format openmetrics: the measured limit as gauges that promtool accepts', async () => {
  const result = await runCli(['probe-idle', ...cliFlags(server), '--max', '20', '--format', 'openmetrics']);
  assert.equal(result.code, ExitCode.ok, result.stderr);
  const instance = `127\\.0\\.0\\.1:${server.port}`;
  const bound = (name: string) =>
    Number(
      new RegExp(`dbcache_path_idle_limit_seconds\\{instance="${instance}",bound="${name}"\\} (\\S+)`).exec(
        result.stdout,
      )?.[1],
    );
  assert.ok(bound('lower') <= 3 && 3 <= bound('upper'), result.stdout);
  assert.match(
    result.stdout,
    new RegExp(`dbcache_path_cut_between\\{instance="${instance}",verdict="server"\\} 0`),
  );
  assert.doesNotMatch(result.stdout, /\[0:0/, 'no progress lines in the metrics');
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: result.stdout, encoding: 'utf8' });
  assert.equal(lint.status, 0, `${lint.stdout}${lint.stderr}`);
});

test('check-timeout to this machine (127.0.0.1) says nothing of probe-idle: nothing sits in between', async () => {
  const { io, captured } = memoryIO();
  await runCheckTimeout({ json: false }, io, tcpTarget(server, io), null);
  assert.doesNotMatch(captured.stdout, /probe-idle/);
});

test('bad flags are usage errors', async () => {
  const max = await runCli(['probe-idle', ...cliFlags(server), '--max', 'soon']);
  assert.equal(max.code, ExitCode.usage);
  assert.match(max.stderr, /--max: "soon" is not a duration/);
  for (const value of ['40', '0', '1']) {
    const probes = await runCli(['probe-idle', ...cliFlags(server), '--probes', value]);
    assert.equal(probes.code, ExitCode.usage);
    assert.match(
      probes.stderr,
      new RegExp(`--probes takes a whole number from 3 to 16; "${value}" is not one`),
    );
  }
});

test('too few free connections: refused before any probe is opened, with the numbers', async () => {
  await admin.query('SET GLOBAL max_connections = 10');
  try {
    const result = await runCli(['probe-idle', ...cliFlags(server)]);
    assert.equal(result.code, ExitCode.usage, result.stderr);
    assert.match(result.stderr, /max_connections 10, Threads_connected \d+\): probe-idle needs 5/);
  } finally {
    await admin.query('SET GLOBAL max_connections = 151');
  }
});

test('Ctrl-C: ends with the bracket known so far, exit 130, and no probe left on the server', async () => {
  // A wait_timeout far above what the run reaches before the interrupt.
  await admin.query('SET GLOBAL wait_timeout = 600');
  try {
    const { child, output, exited } = startCli(['probe-idle', ...cliFlags(server), '--json']);
    // All probes open, then past the first rungs (1 s, 1.25 s).
    const deadline = Date.now() + 30_000;
    while ((await othersOnServer(0)) < 13 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok((await othersOnServer(0)) >= 13, 'the probes are open before the interrupt');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, ExitCode.interrupted, output.stderr);
    const report = JSON.parse(output.stdout) as ProbeIdleReport;
    assert.equal(report.complete, false);
    assert.equal(report.verdict, 'interrupted');
    assert.ok(report.bracket.survived_seconds >= 1, `survived ${report.bracket.survived_seconds} s`);
    assert.equal(report.bracket.cut_seconds, null);
    assert.match(output.stderr, /stopping: closing the probes/);
    assert.equal(await othersOnServer(), 0, 'no probe connection is left on the server');
  } finally {
    await admin.query(`SET GLOBAL wait_timeout = ${WAIT_TIMEOUT}`);
  }
});
