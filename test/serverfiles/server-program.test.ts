/**
 * Asking the installed server which files and groups it reads, and the fallback search path
 * when there is no server program to ask.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverGroups } from '../../src/optionfile/index.ts';
import {
  defaultServerFiles,
  findServerProgram,
  parseServerHelp,
  probeServerProgram,
} from '../../src/serverfiles/server-program.ts';

test('the installed mariadbd says its files and groups; MARIADB_HOME adds a file', () => {
  const path = findServerProgram({ PATH: process.env.PATH }, 'linux');
  assert.ok(path, 'mariadbd is installed (the oracle for these tests)');
  const program = probeServerProgram(path, { PATH: process.env.PATH }, '/home/ann');
  assert.ok(program);
  assert.equal(program.flavor, 'mariadb');
  assert.match(program.version, /^\d+\.\d+\.\d+-MariaDB/);
  assert.deepEqual(program.files, ['/etc/my.cnf', '/etc/mysql/my.cnf', '/home/ann/.my.cnf']);
  assert.deepEqual(program.groups, serverGroups('mariadb', program.version));
  const withHome = probeServerProgram(path, { PATH: process.env.PATH, MARIADB_HOME: '/srv/db' }, '/home/ann');
  assert.deepEqual(withHome?.files, [
    '/etc/my.cnf',
    '/etc/mysql/my.cnf',
    '/srv/db/my.cnf',
    '/home/ann/.my.cnf',
  ]);
});

test("MySQL's help text: flavor, version, files and groups", () => {
  const help = [
    '/usr/sbin/mysqld  Ver 8.0.36-0ubuntu0.22.04.1 for Linux on x86_64 ((Ubuntu))',
    'Copyright (c) 2000, 2024, Oracle and/or its affiliates.',
    '',
    'Starts the MySQL database server.',
    '',
    'Usage: mysqld [OPTIONS]',
    '',
    'Default options are read from the following files in the given order:',
    '/etc/my.cnf /etc/mysql/my.cnf ~/.my.cnf ',
    'The following groups are read: mysqld server mysqld-8.0',
  ].join('\n');
  assert.deepEqual(parseServerHelp(help, '/usr/sbin/mysqld', '/root'), {
    path: '/usr/sbin/mysqld',
    flavor: 'mysql',
    version: '8.0.36-0ubuntu0.22.04.1',
    files: ['/etc/my.cnf', '/etc/mysql/my.cnf', '/root/.my.cnf'],
    groups: ['mysqld', 'server', 'mysqld-8.0'],
  });
  assert.equal(parseServerHelp('not a server', '/bin/false', '/root'), null);
});

test('the program is looked for on PATH, then where packages put it; mariadbd before mysqld', () => {
  const present = new Set(['/opt/homebrew/bin/mysqld', '/usr/local/bin/mariadbd']);
  assert.equal(
    findServerProgram({ PATH: '/usr/bin' }, 'darwin', (path) => present.has(path)),
    '/usr/local/bin/mariadbd',
  );
  assert.equal(
    findServerProgram({ PATH: '/opt/homebrew/bin' }, 'darwin', (path) => path === '/opt/homebrew/bin/mysqld'),
    '/opt/homebrew/bin/mysqld',
  );
  assert.equal(
    findServerProgram({ PATH: '' }, 'linux', () => false),
    undefined,
  );
});

test('without a program: the platform search path, Homebrew etc/ on macOS', () => {
  const base = { env: {}, home: '/Users/ann', program: null };
  assert.deepEqual(
    defaultServerFiles({ ...base, platform: 'linux', flavor: 'mariadb' }).map((file) => file.path),
    ['/etc/my.cnf', '/etc/mysql/my.cnf', '/Users/ann/.my.cnf'],
  );
  const brew = (path: string) => path === '/opt/homebrew/etc/my.cnf';
  assert.deepEqual(
    defaultServerFiles({ ...base, platform: 'darwin', flavor: 'mysql', exists: brew }).map(
      (file) => file.path,
    ),
    ['/etc/my.cnf', '/etc/mysql/my.cnf', '/opt/homebrew/etc/my.cnf', '/Users/ann/.my.cnf'],
  );
  assert.deepEqual(
    defaultServerFiles({ ...base, platform: 'darwin', flavor: 'mariadb', exists: brew }).map(
      (file) => file.path,
    ),
    ['/opt/homebrew/etc/my.cnf', '/Users/ann/.my.cnf'],
  );
  assert.deepEqual(
    defaultServerFiles({
      ...base,
      home: 'C:\\Users\\ann',
      platform: 'win32',
      flavor: 'mysql',
      env: { SystemRoot: 'C:\\Windows' },
    }).map((file) => file.path),
    ['C:\\Windows\\my.ini', 'C:\\Windows\\my.cnf', 'C:\\my.ini', 'C:\\my.cnf'],
  );
});
