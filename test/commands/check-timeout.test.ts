import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import { runCheckTimeout } from '../../src/commands/check-timeout/index.ts';
import type { TimeoutReport } from '../../src/commands/check-timeout/report.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { hasEscapeCodes } from '../helpers/ansi.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, cliFlags, runCli, tcpTarget } from '../helpers/target.ts';

let server: TestServer;
let admin: Connection;
before(async () => {
  server = await sharedServer();
  admin = await adminConnection(server);
});
after(async () => {
  await admin.query('SET GLOBAL wait_timeout = DEFAULT, GLOBAL interactive_timeout = DEFAULT');
  await admin.end();
});

async function check(options: { json: boolean; expect?: number }, env: Record<string, string> = {}) {
  const { io, captured } = memoryIO(env);
  const code = await runCheckTimeout(options, io, tcpTarget(server, io));
  return { code, ...captured };
}

test('values set with SET GLOBAL are reported, and a new driver connection gets the global wait_timeout', async () => {
  await admin.query('SET GLOBAL wait_timeout = 123, GLOBAL interactive_timeout = 456');
  const { code, stdout } = await check({ json: true });
  assert.equal(code, ExitCode.ok);
  const report = JSON.parse(stdout) as TimeoutReport;
  assert.equal(report.global.wait_timeout, 123);
  assert.equal(report.global.interactive_timeout, 456);
  assert.equal(
    report.session.wait_timeout,
    123,
    'a non-interactive connection starts with the global wait_timeout',
  );
  assert.equal(report.session.interactive_timeout, 456);
  assert.equal(report.application_timeout, 123);
  assert.equal(report.server.flavor, 'MariaDB');
  assert.match(report.server.version, /^\d+\.\d+\.\d+$/);
  assert.ok(report.status.Connections && report.status.Connections > 0);
  assert.ok(report.status.Uptime !== null && report.status.Uptime >= 0);
  assert.ok(report.findings.some((finding) => finding.code === 'interactive-differs'));
  // MariaDB knows the value came from SQL, and that it will not survive a restart.
  assert.equal(report.wait_timeout_origin?.source, 'SQL');
  assert.ok(report.findings.some((finding) => finding.code === 'wait-timeout-not-persisted'));
  for (const finding of report.findings) {
    assert.ok(['ok', 'info', 'warning', 'critical'].includes(finding.severity));
    assert.ok(finding.message.length > 0 && finding.advice.length > 0);
  }
});

test('the default 28800 is flagged, a tiny value is critical', async () => {
  await admin.query('SET GLOBAL wait_timeout = DEFAULT, GLOBAL interactive_timeout = DEFAULT');
  let report = JSON.parse((await check({ json: true })).stdout) as TimeoutReport;
  assert.equal(report.global.wait_timeout, 28800);
  assert.deepEqual(
    report.findings
      .filter((f) => f.code.startsWith('wait-timeout-') && f.code !== 'wait-timeout-not-persisted')
      .map((f) => [f.code, f.severity]),
    [['wait-timeout-default', 'warning']],
  );
  await admin.query('SET GLOBAL wait_timeout = 5');
  report = JSON.parse((await check({ json: true })).stdout) as TimeoutReport;
  assert.equal(report.findings[0]?.code, 'wait-timeout-very-low');
  assert.equal(report.findings[0]?.severity, 'critical');
});

test('--expect sets the exit status from the live global value', async () => {
  await admin.query('SET GLOBAL wait_timeout = 600');
  assert.equal((await check({ json: false, expect: 600 })).code, ExitCode.ok);
  const mismatch = await check({ json: true, expect: 300 });
  assert.equal(mismatch.code, ExitCode.checkFailed);
  const report = JSON.parse(mismatch.stdout) as TimeoutReport;
  assert.deepEqual(report.expect, { wait_timeout: 300, matches: false });
  assert.ok(report.findings.some((f) => f.code === 'expectation-failed'));
});

test('the table view explains which timeout a pool gets, with no escape codes when not a terminal', async () => {
  await admin.query('SET GLOBAL wait_timeout = 600, GLOBAL interactive_timeout = 28800');
  const { stdout } = await check({ json: false });
  assert.match(stdout, /wait_timeout\s+│\s+600 s\s+│\s+600 s/);
  assert.match(stdout, /An application pool's connections get 600 s/);
  assert.match(stdout, /interactive_timeout is 28800 s/);
  assert.equal(hasEscapeCodes(stdout), false);
  const forced = await check({ json: false }, { FORCE_COLOR: '1' });
  assert.equal(hasEscapeCodes(forced.stdout), true, 'FORCE_COLOR turns colors on');
  const noColor = await check({ json: false }, { FORCE_COLOR: '1', NO_COLOR: '1' });
  assert.equal(hasEscapeCodes(noColor.stdout), false, 'NO_COLOR wins');
});

test('the CLI end to end: table, --json and --expect exit codes', async () => {
  await admin.query('SET GLOBAL wait_timeout = 700');
  const json = await runCli(['check-timeout', ...cliFlags(server), '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as TimeoutReport).global.wait_timeout, 700);
  const table = await runCli(['check-timeout', ...cliFlags(server)], { NO_COLOR: '1' });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /wait_timeout/);
  assert.equal(hasEscapeCodes(table.stdout), false);
  const expect = await runCli(['check-timeout', ...cliFlags(server), '--expect', '10m']);
  assert.equal(expect.code, ExitCode.checkFailed);
  const bad = await runCli(['check-timeout', ...cliFlags(server), '--expect', 'soon']);
  assert.equal(bad.code, ExitCode.usage);
  assert.match(bad.stderr, /--expect: "soon" is not a duration/);
});
