/**
 * The strongest proof: a private server started with a temporary option file (Debian-style,
 * settings in an !includedir file), patched with the real CLI while it runs, then restarted:
 * it comes back with exactly the values written, and nothing else changed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { ListReport, PatchReport } from '../../src/commands/patch-config/report.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, cliFlags, runCli } from '../helpers/target.ts';

const dir = mkdtempSync(join(tmpdir(), 'dbcache-patch-server-'));
const main = join(dir, 'my.cnf');
const serverCnf = join(dir, 'mariadb.conf.d', '50-server.cnf');
const SERVER_CNF = [
  '# These groups are read by MariaDB server.',
  '[server]',
  '',
  '[mysqld]',
  'max_connections         = 77',
  'thread_cache_size       = 9',
  '',
  '[mysqld_safe]',
  'nice = 0',
  '',
].join('\n');

let server: TestServer;
let admin: Connection;
before(async () => {
  mkdirSync(join(dir, 'mariadb.conf.d'));
  writeFileSync(main, `[client-server]\n!includedir ${join(dir, 'mariadb.conf.d')}/\n`);
  writeFileSync(serverCnf, SERVER_CNF);
  server = await startTestServer({ defaultsFile: main });
  admin = await adminConnection(server);
});
after(async () => {
  await admin?.end();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function globals(): Promise<Record<string, string>> {
  const [rows] = await admin.query<RowDataPacket[]>(
    "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wait_timeout', 'interactive_timeout', 'max_connections', 'thread_cache_size')",
  );
  return Object.fromEntries(rows.map((row) => [row.Variable_name, row.Value]));
}

test("without --file: the files come from the running server's command line", async () => {
  const run = await runCli([
    'patch-config',
    '--wait-timeout',
    '45m',
    '--dry-run',
    '--json',
    ...cliFlags(server),
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as PatchReport;
  assert.deepEqual(report.running_server?.started_with, [`--defaults-file=${main}`]);
  assert.deepEqual(
    report.files.map((file) => file.path),
    [main, serverCnf],
  );
  assert.deepEqual(
    report.changes.map((change) => change.real_path),
    [serverCnf],
  );
  assert.equal(readFileSync(serverCnf, 'latin1'), SERVER_CNF, 'a dry run');
});

test('a user who may not see where settings came from (no FILE privilege) gets "cannot tell", never "does not read"', async () => {
  await admin.query("CREATE USER IF NOT EXISTS 'dbc_nofile'@'%'");
  try {
    for (const args of [['--list'], ['--wait-timeout', '45m', '--dry-run']]) {
      const run = await runCli(['patch-config', ...args, '--json', ...cliFlags(server, 'dbc_nofile')]);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout) as ListReport | PatchReport;
      const running = report.running_server;
      assert.equal(running?.wait_timeout_origin?.source, 'COMPILE-TIME');
      assert.equal(running?.reads_these_files, null);
      assert.match(running?.reads_these_files_why ?? '', /FILE privilege/);
      if ('next_steps' in report) {
        const steps = report.next_steps.join('\n');
        assert.doesNotMatch(steps, /does not seem to read/);
        assert.match(steps, /cannot tell whether the running server reads these files: .*FILE privilege/);
      }
    }
    const human = await runCli(['patch-config', '--list', ...cliFlags(server, 'dbc_nofile')]);
    assert.doesNotMatch(human.stdout, /does NOT seem/);
    assert.match(human.stdout, /cannot tell whether it reads these files: .*FILE privilege/);
  } finally {
    await admin.query("DROP USER IF EXISTS 'dbc_nofile'@'%'");
  }
});

test('patched while running, restarted, the server has the new values and nothing else moved', async () => {
  assert.deepEqual(await globals(), {
    interactive_timeout: '28800',
    max_connections: '77',
    thread_cache_size: '9',
    wait_timeout: '28800',
  });
  const run = await runCli([
    'patch-config',
    '--wait-timeout',
    '45m',
    '--interactive-timeout',
    '45m',
    '--file',
    main,
    '--json',
    ...cliFlags(server),
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as PatchReport;
  assert.deepEqual(
    report.settings.map((setting) => [setting.action, setting.result.file, setting.result.line]),
    [
      ['insert', serverCnf, 6],
      ['insert', serverCnf, 7],
    ],
  );
  assert.equal(
    readFileSync(serverCnf, 'latin1'),
    SERVER_CNF.replace(
      'max_connections         = 77\n',
      'max_connections         = 77\nwait_timeout            = 2700\ninteractive_timeout     = 2700\n',
    ),
  );
  const running = report.running_server;
  assert.deepEqual([running?.local, running?.wait_timeout, running?.reads_these_files], [true, 28800, true]);
  assert.ok(running?.config_files?.includes(serverCnf), 'the server names the file behind max_connections');
  const steps = report.next_steps.join('\n');
  assert.match(steps, /still has wait_timeout 28800 s and interactive_timeout 28800 s/);
  assert.match(steps, /dbcache set-timeout 2700 --interactive/);
  // 2700 is below the live 28800: applying it now is safe only once the pools retire sooner.
  assert.match(
    steps,
    /Apply the value now, once every pool retires idle connections before 2700 s \(dbcache generate <framework> --timeout 2700\), with dbcache set-timeout 2700/,
  );
  assert.match(steps, /The running server reads these files/);

  await admin.end();
  await server.restart();
  admin = await adminConnection(server);
  assert.deepEqual(await globals(), {
    interactive_timeout: '2700',
    max_connections: '77',
    thread_cache_size: '9',
    wait_timeout: '2700',
  });
  const [origin] = await admin.query<RowDataPacket[]>(
    "SELECT GLOBAL_VALUE_ORIGIN AS source, GLOBAL_VALUE_PATH AS path FROM information_schema.SYSTEM_VARIABLES WHERE VARIABLE_NAME = 'WAIT_TIMEOUT'",
  );
  assert.deepEqual({ ...origin[0] }, { source: 'CONFIG', path: serverCnf });
});
