/**
 * A file shared by several server versions or flavors: the patch is for the server at hand, and
 * every group another server would still take the setting from is named, with what that server
 * gets (checked with my_print_defaults reading the patched file as that server does) and the
 * flags that patch it too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type PatchConfigOptions, runPatchConfig } from '../../src/commands/patch-config/index.ts';
import type { PatchReport } from '../../src/commands/patch-config/report.ts';
import { nodeFs } from '../../src/optionfile/index.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { memoryIO } from '../helpers/io.ts';

const work = mkdtempSync(join(tmpdir(), 'dbcache-patch-shared-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function patch(file: string, options: Partial<PatchConfigOptions>) {
  const { io, captured } = memoryIO({ NO_COLOR: '1' }, work);
  const code = await runPatchConfig(
    {
      list: false,
      dryRun: false,
      yes: true,
      force: false,
      offline: true,
      json: true,
      file,
      waitTimeout: 600,
      ...options,
    },
    io,
    () => {
      throw new Error('offline');
    },
    { fs: nodeFs, platform: 'linux', home: join(work, 'home'), serverProgram: () => null },
  );
  return { code, ...captured };
}

/** The wait_timeout a server reading `groups` gets from the file, as my_print_defaults prints it. */
function serverGets(file: string, groups: string[]): string | undefined {
  const run = spawnSync('my_print_defaults', [`--defaults-file=${file}`, ...groups], {
    env: { PATH: process.env.PATH, HOME: join(work, 'no-home') },
  });
  assert.equal(run.status, 0, run.stderr.toString());
  return run.stdout
    .toString()
    .split('\n')
    .map((line) => /^--wait[-_]timeout=(.*)$/.exec(line)?.[1])
    .filter((value) => value !== undefined)
    .at(-1);
}

const MYSQL_80 = ['mysqld', 'server', 'mysqld-8.0'];
const MYSQL_57 = ['mysqld', 'server', 'mysqld-5.7'];
const MYSQL_ANY = ['mysqld', 'server'];
const MARIADB_1011 = [
  'mysqld',
  'server',
  'mysqld-10.11',
  'mariadb',
  'mariadb-10.11',
  'mariadbd',
  'mariadbd-10.11',
];

test('[mysqld] 600, [mysqld-8.0] 3600, [mariadb-10.11] 7200, [mysqld-5.7] 1: patched for MariaDB 10.11, MySQL 8.0 and 5.7 named', async () => {
  const file = join(work, 'versions.cnf');
  writeFileSync(
    file,
    '[mysqld]\nwait_timeout = 600\n\n[mysqld-8.0]\nwait_timeout = 3600\n\n[mariadb-10.11]\nwait_timeout = 7200\n\n[mysqld-5.7]\nwait_timeout = 1\n',
  );
  const run = await patch(file, { flavor: 'mariadb', serverVersion: '10.11', waitTimeout: 900 });
  assert.equal(run.code, ExitCode.ok, run.stderr);
  const report = JSON.parse(run.stdout) as PatchReport;
  assert.deepEqual(
    report.settings.map((setting) => [setting.action, setting.result.group]),
    [['set', 'mariadb-10.11']],
  );
  assert.equal(serverGets(file, MARIADB_1011), '900');
  assert.deepEqual(
    report.left_alone.map((line) => [
      line.server.flavor,
      line.server.version,
      line.group,
      line.line,
      line.seconds,
      line.patch_with.join(' '),
    ]),
    [
      ['mysql', null, 'mysqld', 2, 600, '--flavor mysql'],
      ['mysql', '8.0', 'mysqld-8.0', 5, 3600, '--flavor mysql --server-version 8.0'],
      ['mysql', '5.7', 'mysqld-5.7', 11, 1, '--flavor mysql --server-version 5.7'],
    ],
  );
  // What the report says those servers get is what they get.
  assert.equal(serverGets(file, MYSQL_ANY), '600');
  assert.equal(serverGets(file, MYSQL_80), '3600');
  assert.equal(serverGets(file, MYSQL_57), '1');

  // The flags it names patch that server's line too, and then it is no longer named.
  const again = await patch(file, { flavor: 'mysql', serverVersion: '8.0', waitTimeout: 900 });
  assert.equal(again.code, ExitCode.ok, again.stderr);
  assert.equal(serverGets(file, MYSQL_80), '900');
  const rest = (JSON.parse(again.stdout) as PatchReport).left_alone.map((line) => line.group);
  assert.ok(!rest.includes('mysqld-8.0') && rest.includes('mysqld-5.7'), rest.join());
});

test('[server] 300 next to [mariadb] 900: [mariadb] changed, MySQL still reads 300 and is named, in the table too', async () => {
  const file = join(work, 'flavors.cnf');
  writeFileSync(file, '[server]\nwait_timeout = 300\n\n[mariadb]\nwait_timeout = 900\n');
  const run = await patch(file, { flavor: 'mariadb', serverVersion: '10.11' });
  const report = JSON.parse(run.stdout) as PatchReport;
  assert.deepEqual(report.settings[0]?.result.group, 'mariadb');
  assert.deepEqual(
    report.left_alone.map((line) => [
      line.server.flavor,
      line.group,
      line.seconds,
      line.patch_with.join(' '),
    ]),
    [['mysql', 'server', 300, '--flavor mysql']],
  );
  assert.equal(serverGets(file, MYSQL_ANY), '300');

  writeFileSync(file, '[server]\nwait_timeout = 300\n\n[mariadb]\nwait_timeout = 900\n');
  const human = await patch(file, { flavor: 'mariadb', serverVersion: '10.11', json: false, dryRun: true });
  assert.match(
    human.stdout,
    /Left alone: other servers that may share these files read their own line:\n {2}MySQL still gets wait_timeout 300 s from \S+flavors\.cnf line 2 \[server\]; to patch it too, run again with --flavor mysql\./,
  );
});

test('a file only one server reads names nothing', async () => {
  const file = join(work, 'plain.cnf');
  writeFileSync(file, '[mysqld]\nwait_timeout = 300\n');
  const report = JSON.parse(
    (await patch(file, { flavor: 'mariadb', serverVersion: '10.11' })).stdout,
  ) as PatchReport;
  assert.deepEqual(report.left_alone, []);
});
