import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  applyDefaultsFlags,
  CLIENT_GROUPS,
  clientOptionFiles,
  type SearchPathContext,
  type SearchPathEntry,
  serverGroups,
  serverOptionFiles,
} from '../../src/optionfile/index.ts';

const unix = (overrides: Partial<SearchPathContext> = {}): SearchPathContext => ({
  platform: 'linux',
  env: {},
  home: '/home/me',
  flavor: 'mariadb',
  ...overrides,
});

const paths = (entries: readonly SearchPathEntry[]) =>
  entries.map((entry) => (entry.kind === 'file' ? entry.path : '<defaults-extra-file>'));

test('MariaDB on Debian (no SYSCONFDIR): /etc/my.cnf, /etc/mysql/my.cnf, extra file, ~/.my.cnf', () => {
  const expected = ['/etc/my.cnf', '/etc/mysql/my.cnf', '<defaults-extra-file>', '/home/me/.my.cnf'];
  assert.deepEqual(paths(clientOptionFiles(unix())), expected);
  assert.deepEqual(paths(serverOptionFiles(unix())), expected);
});

test('the installed my_print_defaults lists the same default files', () => {
  const cases: [Record<string, string>, string | undefined][] = [
    [{}, undefined],
    [{}, '/x/extra.cnf'],
    [{ MARIADB_HOME: '/opt/m', MYSQL_HOME: '/opt/y' }, undefined],
    [{ MARIADB_HOME: '', MYSQL_HOME: '/opt/y' }, undefined],
    [{ MYSQL_HOME: '/etc' }, '/x/extra.cnf'],
    [{ MYSQL_HOME: '/etc/mysql/' }, undefined],
  ];
  for (const [env, defaultsExtraFile] of cases) {
    const args = [...(defaultsExtraFile ? [`--defaults-extra-file=${defaultsExtraFile}`] : []), '--help'];
    const run = spawnSync('my_print_defaults', args, {
      env: { PATH: process.env.PATH, HOME: '/home/me', ...env },
    });
    assert.equal(run.error, undefined, 'my_print_defaults is missing; install MariaDB client tools');
    const listed = /in the given order:\n(.*)\n/.exec(run.stdout.toString())?.[1]?.trim().split(' ');
    const ours = applyDefaultsFlags({ defaultsExtraFile }, clientOptionFiles(unix({ env }))).map((ref) =>
      ref.path.replace('/home/me/', '~/'),
    );
    assert.deepEqual(ours, listed, JSON.stringify({ env, defaultsExtraFile }));
  }
});

test('MARIADB_HOME wins over MYSQL_HOME for MariaDB; MySQL reads only MYSQL_HOME', () => {
  const env = { MARIADB_HOME: '/opt/mariadb', MYSQL_HOME: '/opt/mysql' };
  assert.deepEqual(paths(clientOptionFiles(unix({ env }))), [
    '/etc/my.cnf',
    '/etc/mysql/my.cnf',
    '/opt/mariadb/my.cnf',
    '<defaults-extra-file>',
    '/home/me/.my.cnf',
  ]);
  assert.deepEqual(paths(serverOptionFiles(unix({ env, flavor: 'mysql' })))[2], '/opt/mysql/my.cnf');
  // Set but empty still hides MYSQL_HOME from MariaDB, and names no directory.
  assert.equal(
    paths(clientOptionFiles(unix({ env: { MARIADB_HOME: '', MYSQL_HOME: '/opt/mysql' } }))).length,
    4,
  );
});

test('a directory named twice is read once, at its later position', () => {
  assert.deepEqual(paths(serverOptionFiles(unix({ env: { MYSQL_HOME: '/etc' } }))), [
    '/etc/mysql/my.cnf',
    '/etc/my.cnf',
    '<defaults-extra-file>',
    '/home/me/.my.cnf',
  ]);
});

test('SYSCONFDIR replaces /etc and /etc/mysql for MariaDB (RPM, Homebrew) and follows them for MySQL', () => {
  assert.deepEqual(paths(serverOptionFiles(unix({ sysconfdir: '/etc' }))), [
    '/etc/my.cnf',
    '<defaults-extra-file>',
    '/home/me/.my.cnf',
  ]);
  assert.deepEqual(paths(serverOptionFiles(unix({ sysconfdir: '/opt/homebrew/etc' }))).slice(0, 1), [
    '/opt/homebrew/etc/my.cnf',
  ]);
  assert.deepEqual(
    paths(serverOptionFiles(unix({ flavor: 'mysql', platform: 'darwin', sysconfdir: '/usr/local/etc' }))),
    [
      '/etc/my.cnf',
      '/etc/mysql/my.cnf',
      '/usr/local/etc/my.cnf',
      '<defaults-extra-file>',
      '/home/me/.my.cnf',
    ],
  );
});

test('Windows: Windows directory, C:\\, install dir (MariaDB also its data dir), my.ini before my.cnf', () => {
  const context: SearchPathContext = {
    platform: 'win32',
    env: { SystemRoot: 'C:\\WINDOWS', MYSQL_HOME: 'D:/mysql-home' },
    home: 'C:\\Users\\me',
    flavor: 'mariadb',
    installDir: 'C:\\Program Files\\MariaDB 10.11',
  };
  assert.deepEqual(paths(serverOptionFiles(context)), [
    'C:\\WINDOWS\\my.ini',
    'C:\\WINDOWS\\my.cnf',
    'C:\\my.ini',
    'C:\\my.cnf',
    'C:\\Program Files\\MariaDB 10.11\\my.ini',
    'C:\\Program Files\\MariaDB 10.11\\my.cnf',
    'C:\\Program Files\\MariaDB 10.11\\data\\my.ini',
    'C:\\Program Files\\MariaDB 10.11\\data\\my.cnf',
    'D:\\mysql-home\\my.ini',
    'D:\\mysql-home\\my.cnf',
    '<defaults-extra-file>',
  ]);
  const mysql = paths(clientOptionFiles({ ...context, flavor: 'mysql', env: { windir: 'C:\\Windows' } }));
  assert.deepEqual(mysql, [
    'C:\\Windows\\my.ini',
    'C:\\Windows\\my.cnf',
    'C:\\my.ini',
    'C:\\my.cnf',
    'C:\\Program Files\\MariaDB 10.11\\my.ini',
    'C:\\Program Files\\MariaDB 10.11\\my.cnf',
    '<defaults-extra-file>',
  ]);
});

test('--no-defaults reads nothing; --defaults-file reads only that file and requires it', () => {
  const list = clientOptionFiles(unix());
  assert.deepEqual(applyDefaultsFlags({ noDefaults: true, defaultsFile: '/x.cnf' }, list), []);
  assert.deepEqual(applyDefaultsFlags({ defaultsFile: 'my.cnf', defaultsExtraFile: '/extra.cnf' }, list), [
    { path: 'my.cnf', required: true },
  ]);
});

test('--defaults-extra-file is read at its place, before ~/.my.cnf, and is required', () => {
  assert.deepEqual(applyDefaultsFlags({ defaultsExtraFile: '/extra.cnf' }, clientOptionFiles(unix())), [
    { path: '/etc/my.cnf', required: false },
    { path: '/etc/mysql/my.cnf', required: false },
    { path: '/extra.cnf', required: true },
    { path: '/home/me/.my.cnf', required: false },
  ]);
  assert.deepEqual(
    applyDefaultsFlags({}, clientOptionFiles(unix())).map((ref) => ref.path),
    ['/etc/my.cnf', '/etc/mysql/my.cnf', '/home/me/.my.cnf'],
  );
});

test('server groups follow the flavor and the version series', () => {
  assert.deepEqual(serverGroups('mariadb', '10.11.6-MariaDB-0+deb12u1'), [
    'mysqld',
    'server',
    'mysqld-10.11',
    'mariadb',
    'mariadb-10.11',
    'mariadbd',
    'mariadbd-10.11',
    'client-server',
    'galera',
  ]);
  assert.deepEqual(serverGroups('mysql', '8.0.36'), ['mysqld', 'server', 'mysqld-8.0']);
  assert.deepEqual(serverGroups('mysql', '8.4.2-commercial'), ['mysqld', 'server', 'mysqld-8.4']);
  assert.deepEqual(serverGroups('mysql', 'unknown'), ['mysqld', 'server']);
  assert.deepEqual(CLIENT_GROUPS, ['client', 'client-server', 'client-mariadb', 'dbcache']);
});

test('the sources cite public references, never files outside the repository (shared/reference)', () => {
  const dir = join(import.meta.dirname, '../../src');
  const cites = (readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.ts'))
    .filter((name) => /shared\/reference/.test(readFileSync(join(dir, name), 'utf8')));
  assert.deepEqual(cites, []);
});
