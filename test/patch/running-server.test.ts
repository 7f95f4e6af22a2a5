/**
 * Telling which files the running server reads: from its command line (Linux /proc, found
 * through the pid file it names) and from the files it says its settings came from.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ReadOptionsResult } from '../../src/optionfile/index.ts';
import {
  filesFromStartup,
  isLocalTransport,
  readServerStartup,
  readsChain,
} from '../../src/patch/running-server.ts';

const work = mkdtempSync(join(tmpdir(), 'dbcache-startup-'));
after(() => rmSync(work, { recursive: true, force: true }));

const DEFAULTS = ['/etc/my.cnf', '/etc/mysql/my.cnf', '/root/.my.cnf'].map((path) => ({
  path,
  required: false,
}));
const startup = (...args: string[]) => ({ pid: 1, args, cwd: '/var/lib/mysql' });

test('the option-file flags at the start of the command line decide the files, as get_defaults_options() does', () => {
  assert.deepEqual(filesFromStartup(startup(), DEFAULTS), { files: DEFAULTS, groupSuffix: null, flags: [] });
  assert.deepEqual(filesFromStartup(startup('--defaults-file=conf/my.cnf', '--port=3307'), DEFAULTS), {
    files: [{ path: '/var/lib/mysql/conf/my.cnf', required: true }],
    groupSuffix: null,
    flags: ['--defaults-file=conf/my.cnf'],
  });
  assert.deepEqual(filesFromStartup(startup('--no-defaults', '--datadir=/x'), DEFAULTS).files, []);
  assert.deepEqual(
    filesFromStartup(
      startup('--defaults-extra-file=/etc/extra.cnf', '--defaults-group-suffix=_two'),
      DEFAULTS,
    ),
    {
      files: [DEFAULTS[0], DEFAULTS[1], { path: '/etc/extra.cnf', required: true }, DEFAULTS[2]],
      groupSuffix: '_two',
      flags: ['--defaults-extra-file=/etc/extra.cnf', '--defaults-group-suffix=_two'],
    },
  );
  assert.deepEqual(
    filesFromStartup(startup('--datadir=/x', '--defaults-file=/y.cnf'), DEFAULTS).files,
    DEFAULTS,
    'too late to count',
  );
});

test('the command line is read through the pid file; a pid that is not a server program is not trusted', () => {
  const proc = join(work, 'proc');
  const pidFile = join(work, 'mysqld.pid');
  mkdirSync(join(proc, '4242'), { recursive: true });
  writeFileSync(
    join(proc, '4242', 'cmdline'),
    '/usr/sbin/mariadbd\0--defaults-file=/srv/db/my.cnf\0--user=mysql\0',
  );
  symlinkSync('/srv/db', join(proc, '4242', 'cwd'));
  writeFileSync(pidFile, '4242\n');
  assert.deepEqual(readServerStartup(pidFile, proc), {
    pid: 4242,
    args: ['--defaults-file=/srv/db/my.cnf', '--user=mysql'],
    cwd: '/srv/db',
  });
  mkdirSync(join(proc, '77'));
  writeFileSync(join(proc, '77', 'cmdline'), '/usr/bin/vim\0my.cnf\0');
  writeFileSync(pidFile, '77\n');
  assert.equal(readServerStartup(pidFile, proc), null);
  assert.equal(readServerStartup(join(work, 'no.pid'), proc), null);
});

test('the running server on this machine: it reads these files when it took a setting from one of them', () => {
  const chain = (paths: string[], options = 1) =>
    ({
      files: paths.map((path) => ({
        path,
        realPath: path,
        status: 'read',
        depth: 0,
        includedFrom: null,
        doc: null,
      })),
      options: Array.from({ length: options }),
      warnings: [],
    }) as unknown as ReadOptionsResult;
  const same = (path: string) => path;
  assert.equal(readsChain(['/etc/mysql/my.cnf'], chain(['/etc/my.cnf', '/etc/mysql/my.cnf']), same), true);
  assert.equal(readsChain(['/srv/other.cnf'], chain(['/etc/mysql/my.cnf']), same), false);
  assert.equal(
    readsChain([], chain(['/etc/mysql/my.cnf']), same),
    false,
    'files with settings it does not report',
  );
  assert.equal(readsChain([], chain(['/etc/mysql/my.cnf'], 0), same), null);
  assert.equal(readsChain(null, chain(['/etc/mysql/my.cnf']), same), null);
  const viaLink = (path: string) => (path === '/etc/mysql/my.cnf' ? '/etc/mysql/mariadb.cnf' : path);
  assert.equal(readsChain(['/etc/mysql/my.cnf'], chain(['/etc/mysql/mariadb.cnf']), viaLink), true);
});

test('local means a socket or the loopback address', () => {
  assert.equal(isLocalTransport({ kind: 'socket', path: '/run/mysqld/mysqld.sock' }), true);
  for (const host of ['localhost', '127.0.0.1', '127.0.1.1', '::1']) {
    assert.equal(isLocalTransport({ kind: 'tcp', host, port: 3306 }), true, host);
  }
  assert.equal(isLocalTransport({ kind: 'tcp', host: 'db1.example.com', port: 3306 }), false);
});
