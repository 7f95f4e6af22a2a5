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
  notHere,
  readServerStartup,
  readsChain,
} from '../../src/serverfiles/running-server.ts';

const work = mkdtempSync(join(tmpdir(), 'dbcache-startup-'));
after(() => rmSync(work, { recursive: true, force: true }));

const DEFAULTS = ['/etc/my.cnf', '/etc/mysql/my.cnf', '/root/.my.cnf'].map((path) => ({
  path,
  required: false,
}));
const startup = (...args: string[]) => ({ pid: 1, args, sameFiles: true });

test('the option-file flags at the start of the command line decide the files, as get_defaults_options() does', () => {
  assert.deepEqual(filesFromStartup(startup(), DEFAULTS), {
    files: DEFAULTS,
    groupSuffix: null,
    flags: [],
    noDefaults: false,
  });
  // Relative to where the server was started, which is not known (it is in its datadir now):
  // the path stays relative, and reading it is refused (see discovery.test.ts).
  assert.deepEqual(filesFromStartup(startup('--defaults-file=conf/my.cnf', '--port=3307'), DEFAULTS), {
    files: [{ path: 'conf/my.cnf', required: true }],
    groupSuffix: null,
    flags: ['--defaults-file=conf/my.cnf'],
    noDefaults: false,
  });
  assert.deepEqual(filesFromStartup(startup('--no-defaults', '--datadir=/x'), DEFAULTS).files, []);
  assert.equal(filesFromStartup(startup('--no-defaults'), DEFAULTS).noDefaults, true);
  assert.deepEqual(
    filesFromStartup(
      startup('--defaults-extra-file=/etc/extra.cnf', '--defaults-group-suffix=_two'),
      DEFAULTS,
    ),
    {
      files: [DEFAULTS[0], DEFAULTS[1], { path: '/etc/extra.cnf', required: true }, DEFAULTS[2]],
      groupSuffix: '_two',
      flags: ['--defaults-extra-file=/etc/extra.cnf', '--defaults-group-suffix=_two'],
      noDefaults: false,
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
  mkdirSync(join(proc, '4242', 'ns'), { recursive: true });
  mkdirSync(join(proc, 'self', 'ns'), { recursive: true });
  symlinkSync('mnt:[4026531840]', join(proc, 'self', 'ns', 'mnt'));
  writeFileSync(
    join(proc, '4242', 'cmdline'),
    '/usr/sbin/mariadbd\0--defaults-file=/srv/db/my.cnf\0--user=mysql\0',
  );
  writeFileSync(pidFile, '4242\n');
  assert.deepEqual(
    readServerStartup(pidFile, proc),
    { pid: 4242, args: ['--defaults-file=/srv/db/my.cnf', '--user=mysql'], sameFiles: null },
    'another user, not root: its root and namespaces are hidden',
  );
  symlinkSync('/', join(proc, '4242', 'root'));
  symlinkSync('mnt:[4026531840]', join(proc, '4242', 'ns', 'mnt'));
  assert.equal(readServerStartup(pidFile, proc)?.sameFiles, true);
  rmSync(join(proc, '4242', 'ns', 'mnt'));
  symlinkSync('mnt:[4026532999]', join(proc, '4242', 'ns', 'mnt'));
  assert.equal(readServerStartup(pidFile, proc)?.sameFiles, false, 'a container: other mounts');
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

test('a local address is this machine only when the host names agree and the process sees our files', () => {
  const startup = { pid: 9, args: [], sameFiles: true };
  assert.equal(notHere('db-host', 'DB-host', startup), null, 'host names compare without case');
  assert.equal(notHere('db-host', 'db-host', null), null, 'no process found: the host name decides');
  assert.match(
    notHere('3f2a9c1d7b6e', 'db-host', startup) ?? '',
    /its host name is 3f2a9c1d7b6e and this machine's is db-host \(a container/,
  );
  assert.match(
    notHere('db-host', 'db-host', { ...startup, sameFiles: false }) ?? '',
    /process \(9\) has another root directory or other mounts/,
  );
  assert.equal(notHere(null, 'db-host', { ...startup, sameFiles: null }), null);
});

test('local means a socket or the loopback address', () => {
  assert.equal(isLocalTransport({ kind: 'socket', path: '/run/mysqld/mysqld.sock' }), true);
  for (const host of ['localhost', '127.0.0.1', '127.0.1.1', '::1']) {
    assert.equal(isLocalTransport({ kind: 'tcp', host, port: 3306 }), true, host);
  }
  assert.equal(isLocalTransport({ kind: 'tcp', host: 'db1.example.com', port: 3306 }), false);
});
