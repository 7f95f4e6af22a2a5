/**
 * One answer to "which files does the server read at its next start", for patch-config and
 * check-timeout alike: --file, the running server's command line, or the default files (from
 * the program, or the search path with dbcache's environment).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TIMEOUT } from '../../src/duration.ts';
import { PatchRefused, planPatch } from '../../src/patch/plan.ts';
import { type DiscoveryInput, serverFiles } from '../../src/serverfiles/discovery.ts';
import { serverReader } from '../../src/serverfiles/reader.ts';
import { createMemFs } from '../optionfile/memfs.ts';

const fs = createMemFs({
  '/etc/mysql/my.cnf': '[mysqld]\n!include conf/extra.cnf\n',
  '/srv/db/my.cnf': '[mysqld]\nport = 3307\n',
  '/home/me/conf/extra.cnf': '[mysqld]\n',
});

const base: DiscoveryInput = {
  platform: 'linux',
  env: {},
  home: '/home/me',
  flavor: 'mariadb',
  fs,
  cwd: '/home/me',
  startup: null,
  program: () => null,
};

const paths = (input: DiscoveryInput) =>
  serverFiles(input).source.files.map((file) => (typeof file === 'string' ? file : file.path));

test('the default files take the environment into account (MARIADB_HOME, MYSQL_HOME)', () => {
  assert.deepEqual(paths(base), ['/etc/my.cnf', '/etc/mysql/my.cnf', '/home/me/.my.cnf']);
  assert.deepEqual(paths({ ...base, env: { MYSQL_HOME: '/srv/db' } }), [
    '/etc/my.cnf',
    '/etc/mysql/my.cnf',
    '/srv/db/my.cnf',
    '/home/me/.my.cnf',
  ]);
  assert.deepEqual(paths({ ...base, file: 'x.cnf' }), ['/home/me/x.cnf']);
});

test("a running server's relative paths are refused, not looked up in its data directory or here", () => {
  const plan = (input: DiscoveryInput) =>
    planPatch({
      source: serverFiles(input).source,
      views: [serverReader('mariadb', '10.11')],
      settings: [{ name: 'wait_timeout', seconds: 600 }],
      force: false,
      maxSeconds: MAX_TIMEOUT,
    });
  const refusedAsking = (run: () => unknown, what: RegExp) =>
    assert.throws(
      run,
      (err: unknown) =>
        err instanceof PatchRefused &&
        err.kind === 'usage' &&
        what.test(err.message) &&
        /Name the server's option file with --file/.test(err.message),
    );
  const started = (...args: string[]) => ({ ...base, startup: { pid: 1, args, sameFiles: true } });
  refusedAsking(
    () => plan(started('--defaults-file=my.cnf')),
    /Option file my\.cnf: "my\.cnf" is a relative path, which the server resolved against the directory it was started from/,
  );
  refusedAsking(
    () => plan(started('--defaults-file=/etc/mysql/my.cnf')),
    /\/etc\/mysql\/my\.cnf, line 2: "conf\/extra\.cnf" is a relative path/,
  );
  // Named with --file, the same tree is read from where dbcache runs, as my_print_defaults does.
  assert.equal(plan({ ...base, file: '/etc/mysql/my.cnf' }).settings[0]?.action, 'insert');
  assert.equal(plan(started('--defaults-file=/srv/db/my.cnf')).settings[0]?.action, 'insert');
  assert.equal(serverFiles(started('--no-defaults')).noDefaults, true);
});
