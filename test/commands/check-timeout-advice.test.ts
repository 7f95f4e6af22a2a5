/**
 * Advice comes in the order that is safe to follow, and fits the server it was given for
 * (issue 10, item 3). Lowering wait_timeout before the pools retire their connections sooner
 * turns an overnight "gone away" into one every few minutes: pools first, then the server.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import type { TimeoutFacts } from '../../src/commands/check-timeout/facts.ts';
import { runCheckTimeout } from '../../src/commands/check-timeout/index.ts';
import { buildReport, type TimeoutReport } from '../../src/commands/check-timeout/report.ts';
import { identifyServer } from '../../src/server/identity.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, tcpTarget } from '../helpers/target.ts';

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

async function check(): Promise<{ report: TimeoutReport; text: string }> {
  const json = memoryIO();
  await runCheckTimeout({ json: true }, json.io, tcpTarget(server, json.io));
  const human = memoryIO();
  await runCheckTimeout({ json: false }, human.io, tcpTarget(server, human.io));
  return { report: JSON.parse(json.captured.stdout) as TimeoutReport, text: human.captured.stdout };
}

const adviceFor = (report: TimeoutReport, code: string): string => {
  const finding = report.findings.find((f) => f.code === code);
  assert.ok(finding, `finding ${code} in ${report.findings.map((f) => f.code).join(', ')}`);
  return finding.advice;
};

/** Asserts that `first` comes before `second` in `text`. */
function inOrder(text: string, first: string, second: string): void {
  const a = text.indexOf(first);
  const b = text.indexOf(second);
  assert.ok(a >= 0, `"${first}" in: ${text}`);
  assert.ok(b >= 0, `"${second}" in: ${text}`);
  assert.ok(a < b, `"${first}" must come before "${second}" in: ${text}`);
}

test('on a default server the advice is pools first (generate, watched), then the server (set-timeout, then keeping it)', async () => {
  await admin.query('SET GLOBAL wait_timeout = DEFAULT, GLOBAL interactive_timeout = DEFAULT');
  const { report, text } = await check();
  const advice = adviceFor(report, 'wait-timeout-default');
  inOrder(advice, 'dbcache generate <framework> --timeout 600', 'dbcache set-timeout 600');
  inOrder(advice, 'dbcache generate', 'dbcache watch-connections');
  inOrder(advice, 'dbcache watch-connections', 'dbcache set-timeout 600');
  assert.match(advice, /gone away/, 'it says why the order matters');
  // The human view prints the same sentence.
  inOrder(text, 'dbcache generate <framework> --timeout 600', 'dbcache set-timeout 600');
});

test('a server started with --no-defaults is never sent to patch-config, which refuses it', async () => {
  // The suite's server runs with --no-defaults: it reports no setting from any option file.
  await admin.query('SET GLOBAL wait_timeout = DEFAULT');
  let { report } = await check();
  const lower = adviceFor(report, 'wait-timeout-default');
  assert.doesNotMatch(lower, /patch-config --wait-timeout/);
  assert.match(lower, /--wait-timeout=600 on the command that starts the server/);

  await admin.query('SET GLOBAL wait_timeout = 123');
  ({ report } = await check());
  const keep = adviceFor(report, 'wait-timeout-not-persisted');
  assert.doesNotMatch(keep, /patch-config --wait-timeout/);
  assert.match(keep, /--wait-timeout=123 on the command that starts the server/, 'the known value, not N');
  assert.doesNotMatch(keep, /\bN\b/);
});

test('no advice prints a literal N where the value is known', async () => {
  for (const wait of ['5', '30', '600', '28800', '31536000']) {
    await admin.query(`SET GLOBAL wait_timeout = ${wait}`);
    const { report, text } = await check();
    for (const finding of report.findings) assert.doesNotMatch(finding.advice, /\bN\b/, finding.code);
    assert.doesNotMatch(text, /--wait-timeout N\b/);
  }
});

/** Facts for the advice variants that need another server than the suite's. */
function facts(overrides: Partial<TimeoutFacts> & { wait?: string; version?: string }): TimeoutFacts {
  const wait = overrides.wait ?? '28800';
  const global = overrides.global ?? {
    version: overrides.version ?? '10.11.19-MariaDB-0+deb12u1',
    wait_timeout: wait,
    interactive_timeout: wait,
    max_connections: '151',
  };
  return {
    identity: identifyServer(global),
    session: { wait_timeout: Number(wait), interactive_timeout: Number(wait) },
    status: {},
    origin: { source: 'SQL', path: null },
    connectionId: 1,
    ...overrides,
    global,
  };
}
const WHERE = { address: '127.0.0.1:3306', user: 'root' };

test('a server that reads its option files is sent to patch-config with the value; a remote one, on its machine', () => {
  const local = buildReport(facts({ configFiles: ['/etc/mysql/my.cnf'], local: true }), WHERE);
  const lower = adviceFor(local, 'wait-timeout-default');
  assert.match(lower, /keep it across restarts with dbcache patch-config --wait-timeout 600/);
  inOrder(lower, 'dbcache generate', 'dbcache patch-config --wait-timeout 600');
  assert.match(adviceFor(local, 'wait-timeout-not-persisted'), /dbcache patch-config --wait-timeout 28800\./);

  const remote = buildReport(facts({ configFiles: ['/etc/mysql/my.cnf'], local: false }), WHERE);
  assert.match(
    adviceFor(remote, 'wait-timeout-default'),
    /dbcache patch-config --wait-timeout 600, run on the server's machine/,
  );
  // A server that cannot say where its settings came from (MySQL 5.7): patch-config is the way.
  const unknown = buildReport(facts({ version: '5.7.44-log', configFiles: null }), WHERE);
  assert.match(adviceFor(unknown, 'wait-timeout-default'), /dbcache patch-config --wait-timeout 600/);
});

test('MySQL 8 offers SET PERSIST, also when it reads no option file; a managed service, its settings page', () => {
  const mysql8 = buildReport(facts({ version: '8.0.36', configFiles: [] }), WHERE);
  const advice = adviceFor(mysql8, 'wait-timeout-default');
  assert.match(advice, /dbcache set-timeout 600 --persist/);
  assert.doesNotMatch(advice, /patch-config --wait-timeout/);
  const rds = buildReport(
    facts({ global: { version: '8.0.35', basedir: '/rdsdbbin/mysql/', wait_timeout: '28800' } }),
    WHERE,
  );
  const rdsAdvice = adviceFor(rds, 'wait-timeout-default');
  assert.match(rdsAdvice, /set wait_timeout = 600 in the DB parameter group/);
  assert.doesNotMatch(rdsAdvice, /dbcache set-timeout|patch-config/);
  inOrder(rdsAdvice, 'dbcache generate', 'DB parameter group');
});

test('--expect below the live value, and a file value below it, come with pools first too', () => {
  const expect = buildReport(facts({ wait: '28800', configFiles: ['/etc/my.cnf'] }), WHERE, 300);
  const advice = adviceFor(expect, 'expectation-failed');
  inOrder(advice, 'dbcache generate <framework> --timeout 300', 'dbcache set-timeout 300');
  const raise = buildReport(facts({ wait: '60', configFiles: ['/etc/my.cnf'] }), WHERE, 300);
  assert.match(adviceFor(raise, 'expectation-failed'), /^Set it with dbcache set-timeout 300/);

  const reverts = buildReport(
    facts({
      wait: '600',
      optionFiles: {
        waitTimeout: { value: '120', seconds: 120, file: '/etc/my.cnf', line: 3 },
        filesRead: ['/etc/my.cnf'],
        error: null,
      },
    }),
    WHERE,
  );
  inOrder(
    adviceFor(reverts, 'wait-timeout-will-revert'),
    'dbcache generate <framework> --timeout 120',
    "apply the file's value now with dbcache set-timeout 120",
  );
});
