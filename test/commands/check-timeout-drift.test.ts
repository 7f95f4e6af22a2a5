/**
 * Drift: check-timeout compares the live wait_timeout with what the option files set for the
 * next start, on a private server that reads a temporary option file, and flags a live value
 * that a restart would undo. Pure cases first, from facts as a server would report them.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Chalk } from 'chalk';
import type { Connection } from 'mysql2/promise';
import {
  machineOptionFiles,
  type OptionFilesFacts,
  type OptionFilesSource,
  readOptionFilesFacts,
} from '../../src/commands/check-timeout/drift.ts';
import { readTimeoutFacts, type TimeoutFacts } from '../../src/commands/check-timeout/facts.ts';
import { runCheckTimeout } from '../../src/commands/check-timeout/index.ts';
import { renderReport } from '../../src/commands/check-timeout/render.ts';
import { buildReport, type TimeoutReport } from '../../src/commands/check-timeout/report.ts';
import { nodeFs } from '../../src/optionfile/index.ts';
import { identifyServer } from '../../src/server/identity.ts';
import { serverFiles } from '../../src/serverfiles/discovery.ts';
import { interceptedTarget } from '../helpers/intercept.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, startTestServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, cliFlags, runCli, tcpTarget } from '../helpers/target.ts';
import { createMemFs } from '../optionfile/memfs.ts';

const WHERE = { address: 'socket /run/mysqld/mysqld.sock', user: 'root' };

function facts(live: number, origin: string, optionFiles: OptionFilesFacts | null): TimeoutFacts {
  const global = {
    version: '10.11.19-MariaDB',
    wait_timeout: String(live),
    interactive_timeout: String(live),
  };
  return {
    identity: identifyServer(global),
    global,
    session: { wait_timeout: live, interactive_timeout: live },
    status: { Uptime: 1000, Connections: 10 },
    origin: { source: origin, path: null },
    connectionId: 7,
    optionFiles,
  };
}

const fileSets = (value: string, seconds: number | null): OptionFilesFacts => ({
  waitTimeout: { value, seconds, file: '/etc/mysql/my.cnf', line: 12 },
  filesRead: ['/etc/mysql/my.cnf'],
  error: null,
});
const noneSet: OptionFilesFacts = { waitTimeout: null, filesRead: ['/etc/mysql/my.cnf'], error: null };
const codes = (report: TimeoutReport) => report.findings.map((finding) => finding.code);
const drift = (report: TimeoutReport) =>
  codes(report).filter((code) => /revert|persisted|option-file|broken/.test(code));

test('a value set with SET GLOBAL that equals the files is not flagged; one that differs will revert', () => {
  assert.deepEqual(drift(buildReport(facts(600, 'SQL', fileSets('600', 600)), WHERE)), []);
  const reverts = buildReport(facts(120, 'SQL', fileSets('600', 600)), WHERE);
  assert.deepEqual(drift(reverts), ['wait-timeout-will-revert']);
  const finding = reverts.findings.find((f) => f.code === 'wait-timeout-will-revert');
  assert.equal(finding?.severity, 'warning');
  assert.match(
    finding?.message ?? '',
    /wait_timeout is 120 s now, but \/etc\/mysql\/my\.cnf line 12 sets 600 s: at its next restart the server goes to 600 s/,
  );
  assert.match(
    finding?.advice ?? '',
    /dbcache patch-config --wait-timeout 120, or apply the file's value now with dbcache set-timeout 600/,
  );
  assert.deepEqual(reverts.option_files, {
    wait_timeout: { value: '600', seconds: 600, file: '/etc/mysql/my.cnf', line: 12 },
    files_read: ['/etc/mysql/my.cnf'],
    error: null,
  });
});

test('no file sets it: a live value other than 28800 goes back to the default at restart', () => {
  const report = buildReport(facts(300, 'SQL', noneSet), WHERE);
  assert.match(
    report.findings.find((f) => f.code === 'wait-timeout-will-revert')?.message ?? '',
    /no option file sets it: at its next restart the server goes back to the default 28800 s/,
  );
  assert.deepEqual(drift(buildReport(facts(28800, 'COMPILE-TIME', noneSet), WHERE)), []);
});

test('the files were changed since the start: the value changes at the next restart', () => {
  assert.deepEqual(drift(buildReport(facts(600, 'CONFIG', fileSets('2k', 2048)), WHERE)), [
    'wait-timeout-will-revert',
  ]);
});

test('a command-line or persisted value outranks the files: no drift finding', () => {
  assert.deepEqual(drift(buildReport(facts(120, 'COMMAND-LINE', fileSets('600', 600)), WHERE)), []);
  assert.deepEqual(drift(buildReport(facts(120, 'PERSISTED', fileSets('600', 600)), WHERE)), []);
});

test('files the server would refuse are critical', () => {
  const invalid = buildReport(facts(600, 'CONFIG', fileSets('10 min', null)), WHERE);
  assert.deepEqual(drift(invalid), ['wait-timeout-invalid-in-option-file']);
  assert.equal(invalid.findings[0]?.severity, 'critical');
  const broken = buildReport(
    facts(600, 'CONFIG', { waitTimeout: null, filesRead: [], error: 'Option file /etc/my.cnf, line 1: …' }),
    WHERE,
  );
  assert.deepEqual(drift(broken), ['option-files-broken']);
});

test('without the files (a remote server, or files it does not read) the old finding stays', () => {
  const report = buildReport(facts(120, 'SQL', null), WHERE);
  assert.equal(report.option_files, null);
  assert.deepEqual(drift(report), ['wait-timeout-not-persisted']);
});

test('the table view says what the next restart brings', () => {
  const plain = new Chalk({ level: 0 });
  assert.match(
    renderReport(buildReport(facts(120, 'SQL', fileSets('600', 600)), WHERE), plain),
    /At the next restart: \/etc\/mysql\/my\.cnf line 12 sets wait_timeout = 600 \(600 s\)\./,
  );
  assert.match(
    renderReport(buildReport(facts(120, 'SQL', noneSet), WHERE), plain),
    /no option file sets wait_timeout, so the server starts with the default 28800 s/,
  );
});

{
  let server: TestServer;
  let admin: Connection;
  const dir = mkdtempSync(join(tmpdir(), 'dbcache-drift-'));
  const main = join(dir, 'my.cnf');
  const confD = join(dir, 'conf.d');
  const source: OptionFilesSource = () => ({
    files: [{ path: main, required: true }],
    fs: nodeFs,
    cwd: dir,
    platform: 'linux',
    home: dir,
  });

  before(async () => {
    mkdirSync(confD);
    writeFileSync(main, `[mysqld]\nwait_timeout = 300\n!includedir ${confD}/\n`);
    writeFileSync(join(confD, 'pool.cnf'), '[mariadb]\nmax_connections = 77\n');
    server = await startTestServer({ defaultsFile: main });
    admin = await adminConnection(server);
  });
  after(async () => {
    await admin?.end();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function check(optionFiles?: OptionFilesSource | null): Promise<TimeoutReport> {
    const { io, captured } = memoryIO();
    await runCheckTimeout({ json: true }, io, tcpTarget(server, io), optionFiles);
    return JSON.parse(captured.stdout) as TimeoutReport;
  }

  test('a server that reads the files: their value is shown and agrees with the live one', async () => {
    const report = await check(source);
    assert.equal(report.global.wait_timeout, 300);
    assert.deepEqual(report.option_files?.wait_timeout, { value: '300', seconds: 300, file: main, line: 2 });
    assert.deepEqual(report.option_files?.files_read, [main, join(confD, 'pool.cnf')]);
    assert.deepEqual(drift(report), []);
  });

  test('the whole check, drift included, takes four statements, none of them twice', async () => {
    const { io, captured } = memoryIO();
    const sent: string[] = [];
    const target = interceptedTarget(tcpTarget(server, io), async (sql) => {
      sent.push(sql);
      return sql;
    });
    await runCheckTimeout({ json: true }, io, target, source);
    assert.equal((JSON.parse(captured.stdout) as TimeoutReport).option_files?.wait_timeout?.seconds, 300);
    // Each is a round trip: over a WAN link, each one fewer is a round-trip time off every run.
    assert.equal(sent.length, 4, sent.join('\n'));
    assert.equal(new Set(sent).size, sent.length, sent.join('\n'));
  });

  test('SET GLOBAL to another value will revert; SET GLOBAL back to the file value is not flagged', async () => {
    await admin.query('SET GLOBAL wait_timeout = 120');
    const reverts = await check(source);
    assert.equal(reverts.wait_timeout_origin?.source, 'SQL');
    assert.deepEqual(drift(reverts), ['wait-timeout-will-revert']);
    await admin.query('SET GLOBAL wait_timeout = 300');
    const same = await check(source);
    assert.equal(same.wait_timeout_origin?.source, 'SQL');
    assert.deepEqual(drift(same), [], 'the origin is SQL, but a restart keeps 300');
  });

  test('patch-config writes the live value; then a restart keeps it, as check-timeout predicted', async () => {
    await admin.query('SET GLOBAL wait_timeout = 120');
    const patched = await runCli([
      'patch-config',
      '--wait-timeout',
      '120',
      '--file',
      main,
      '--json',
      ...cliFlags(server),
    ]);
    assert.equal(patched.code, 0, patched.stderr);
    assert.deepEqual(drift(await check(source)), []);
    await admin.end();
    await server.restart();
    admin = await adminConnection(server);
    const report = await check(source);
    assert.deepEqual([report.global.wait_timeout, report.wait_timeout_origin?.source], [120, 'CONFIG']);
    assert.equal(report.global.max_connections, 77);
    assert.deepEqual(drift(report), []);
  });

  test("by default the files come from the server's own command line (its --defaults-file here)", async () => {
    const report = await check();
    assert.deepEqual(report.option_files?.wait_timeout, { value: '120', seconds: 120, file: main, line: 2 });
  });

  test('an earlier line the server rejects stops it even when a later one overrides it: that line is named', async () => {
    const { identity } = await readTimeoutFacts(admin);
    const earlier: OptionFilesSource = () => ({
      ...source('mariadb', null, false),
      fs: createMemFs({ [main]: '[mysqld]\nwait_timeout = -\nwait_timeout = 300\n' }),
    });
    const facts = await readOptionFilesFacts(admin, identity, earlier, { machine: { hostname: hostname() } });
    assert.deepEqual(facts?.waitTimeout, { value: '-', seconds: null, file: main, line: 2 });
  });

  test('where dbcache cannot tell, it says nothing: another host name, a file it may not read, a relative path', async () => {
    const { identity } = await readTimeoutFacts(admin);
    const here = { hostname: hostname() };
    assert.notEqual(
      await readOptionFilesFacts(admin, identity, source, { machine: here }),
      null,
      'this machine, readable files',
    );
    // A container's port published on 127.0.0.1: its @@hostname is the container's.
    assert.equal(
      await readOptionFilesFacts(admin, identity, source, { machine: { hostname: 'not-this-machine' } }),
      null,
    );
    const unreadable: OptionFilesSource = () => ({
      ...source(identity.flavor === 'MariaDB' ? 'mariadb' : 'mysql', null, false),
      fs: createMemFs({
        [main]: `[mysqld]\nwait_timeout = 300\n!include ${dir}/secret.cnf\n`,
        [`${dir}/secret.cnf`]: { content: '[mysqld]\nwait_timeout = 100\n', unreadable: true },
      }),
    });
    assert.equal(await readOptionFilesFacts(admin, identity, unreadable, { machine: here }), null);
    const relative: OptionFilesSource = () => ({
      files: [{ path: 'my.cnf', required: true }],
      fs: nodeFs,
      cwd: null,
      platform: 'linux',
    });
    assert.equal(await readOptionFilesFacts(admin, identity, relative, { machine: here }), null);
  });

  test('drift finds the files as patch-config does: one discovery, with the environment (MARIADB_HOME)', () => {
    const env = { MARIADB_HOME: '/srv/db', MYSQL_HOME: '/ignored' };
    const { io } = memoryIO(env, dir);
    const drift = machineOptionFiles(io)('mariadb', null, false);
    const patch = serverFiles({
      platform: process.platform,
      env,
      home: drift.home ?? '',
      flavor: 'mariadb',
      fs: nodeFs,
      cwd: dir,
      startup: null,
      program: () => null,
    }).source;
    assert.deepEqual(drift.files, patch.files);
    assert.ok(
      drift.files.some((file) => (typeof file === 'string' ? file : file.path) === '/srv/db/my.cnf'),
      'MARIADB_HOME adds its my.cnf',
    );
  });

  test('a server started with --no-defaults reads no files: there is nothing to compare', async () => {
    const shared = await sharedServer();
    const { io, captured } = memoryIO();
    await runCheckTimeout({ json: true }, io, tcpTarget(shared, io));
    assert.equal((JSON.parse(captured.stdout) as TimeoutReport).option_files, null);
  });
}
