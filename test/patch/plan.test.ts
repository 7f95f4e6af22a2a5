/**
 * The planner's rules on whole trees laid out like real machines (in memory): which occurrence
 * wins, where a missing setting goes, which groups are never touched, and when it refuses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TIMEOUT } from '../../src/duration.ts';
import { readOptions } from '../../src/optionfile/index.ts';
import { type PatchInput, PatchRefused, planPatch } from '../../src/patch/plan.ts';
import { verifyPatch } from '../../src/patch/verify.ts';
import { type ServerReader, serverReader } from '../../src/serverfiles/reader.ts';
import { createMemFs, type MemEntry } from '../optionfile/memfs.ts';

const DEFAULT_FILES = ['/etc/my.cnf', '/etc/mysql/my.cnf', '/home/ann/.my.cnf'];
const MARIADB = serverReader('mariadb', '10.11.19-MariaDB');

function input(tree: Record<string, MemEntry>, overrides: Partial<PatchInput> = {}): PatchInput {
  return {
    source: { files: DEFAULT_FILES, fs: createMemFs(tree), cwd: '/', platform: 'linux', home: '/home/ann' },
    views: [MARIADB],
    settings: [{ name: 'wait_timeout', seconds: 600 }],
    force: false,
    maxSeconds: MAX_TIMEOUT,
    ...overrides,
  };
}

const after = (plan: ReturnType<typeof planPatch>, realPath: string) =>
  plan.changes.find((change) => change.realPath === realPath)?.after.toString('latin1');

const DEBIAN: Record<string, MemEntry> = {
  '/etc/mysql/my.cnf': { symlink: '/etc/mysql/mariadb.cnf' },
  '/etc/mysql/mariadb.cnf':
    '[client-server]\nsocket = /run/mysqld/mysqld.sock\n!includedir /etc/mysql/conf.d/\n!includedir /etc/mysql/mariadb.conf.d/\n',
  '/etc/mysql/conf.d/mysql.cnf': '[mysql]\n',
  '/etc/mysql/mariadb.conf.d/50-client.cnf': '[client]\nsocket = /run/mysqld/mysqld.sock\n',
  '/etc/mysql/mariadb.conf.d/50-mysqld_safe.cnf': '[mysqld_safe]\nnice = 0\nwait_timeout = 5\n',
  '/etc/mysql/mariadb.conf.d/50-server.cnf':
    '[server]\n\n[mysqld]\npid-file                = /run/mysqld/mysqld.pid\nbasedir                 = /usr\n#max_connections        = 100\n\n[embedded]\n\n[mariadb]\n\n[mariadb-10.11]\n',
  '/etc/mysql/mariadb.conf.d/60-galera.cnf': '[galera]\n#wsrep_on = ON\n',
  '/home/ann/.my.cnf': '[client]\npassword = secret\n',
};

test('Debian: the default files lead through the my.cnf symlink and !includedir to [mysqld] in 50-server.cnf', () => {
  const plan = planPatch(input(DEBIAN));
  assert.deepEqual(
    plan.changes.map((change) => [change.path, change.realPath]),
    [['/etc/mysql/mariadb.conf.d/50-server.cnf', '/etc/mysql/mariadb.conf.d/50-server.cnf']],
  );
  assert.match(
    after(plan, '/etc/mysql/mariadb.conf.d/50-server.cnf') ?? '',
    /basedir {17}= \/usr\nwait_timeout {12}= 600\n#max_connections/,
  );
  assert.equal(plan.settings[0]?.current, null, '[mysqld_safe] is not read by the server');
  assert.deepEqual(plan.settings[0]?.result.group, 'mysqld');
});

test('a symlinked file is edited at its target, and named as the server opens it', () => {
  const tree = {
    ...DEBIAN,
    '/etc/mysql/mariadb.cnf': `${DEBIAN['/etc/mysql/mariadb.cnf']}[mysqld]\nwait_timeout = 100\n`,
  };
  const plan = planPatch(input(tree));
  assert.deepEqual(
    plan.changes.map((change) => [change.path, change.realPath]),
    [['/etc/mysql/my.cnf', '/etc/mysql/mariadb.cnf']],
  );
  assert.equal(plan.settings[0]?.action, 'set');
});

test('the last file read wins: /etc/mysql/my.cnf over /etc/my.cnf, ~/.my.cnf over both', () => {
  const tree = {
    '/etc/my.cnf': '[mysqld]\nwait_timeout = 100\n',
    '/etc/mysql/my.cnf': '[server]\nwait_timeout = 200\n',
  };
  const plan = planPatch(input(tree));
  assert.deepEqual(
    plan.changes.map((change) => change.realPath),
    ['/etc/mysql/my.cnf'],
  );
  assert.deepEqual(
    plan.settings[0]?.overridden.map((o) => [o.file, o.seconds]),
    [['/etc/my.cnf', 100]],
  );
  const withHome = planPatch(input({ ...tree, '/home/ann/.my.cnf': '[mysqld]\nwait-timeout=300\n' }));
  assert.deepEqual(
    withHome.changes.map((change) => change.realPath),
    ['/home/ann/.my.cnf'],
  );
});

test('a world-writable file is ignored by the server, so it is neither the winner nor edited', () => {
  const tree = {
    '/etc/my.cnf': '[mysqld]\nwait_timeout = 100\n',
    '/etc/mysql/my.cnf': { content: '[mysqld]\nwait_timeout = 5\n', mode: 0o666 },
  };
  const plan = planPatch(input(tree));
  assert.deepEqual(
    plan.changes.map((change) => change.realPath),
    ['/etc/my.cnf'],
  );
  assert.ok(plan.warnings.some((warning) => warning.includes('anyone may write')));
});

test('max_connections in [client-server] is no place for wait_timeout: clients read that group too', () => {
  const plan = planPatch(
    input({ '/etc/my.cnf': '[mysqld]\nport = 3306\n\n[client-server]\nmax_connections = 10\n' }),
  );
  assert.equal(
    after(plan, '/etc/my.cnf'),
    '[mysqld]\nport = 3306\nwait_timeout = 600\n\n[client-server]\nmax_connections = 10\n',
  );
});

test('a group the server does not read never gets it: [mysqld_safe] last, [mysqldump], [client]', () => {
  const tree = {
    '/etc/my.cnf':
      '[mysqld]\ndatadir=/var/lib/mysql\n\n[mysqldump]\nquick\n\n[mysqld_safe]\nlog-error=/var/log/mysqld.log\n',
  };
  assert.equal(
    after(planPatch(input(tree)), '/etc/my.cnf'),
    '[mysqld]\ndatadir=/var/lib/mysql\nwait_timeout=600\n\n[mysqldump]\nquick\n\n[mysqld_safe]\nlog-error=/var/log/mysqld.log\n',
  );
});

test('no server group anywhere: a [mysqld] group is added to the first file the server reads', () => {
  const plan = planPatch(
    input({ '/etc/mysql/my.cnf': '[client-server]\nsocket = /run/mysqld/mysqld.sock\n' }),
  );
  assert.equal(plan.settings[0]?.action, 'create-group');
  assert.equal(
    after(plan, '/etc/mysql/my.cnf'),
    '[client-server]\nsocket = /run/mysqld/mysqld.sock\n\n[mysqld]\nwait_timeout = 600\n',
  );
});

test('only ~/.my.cnf: refused, --force or not, unless --file names it; then a client file still needs --force', () => {
  const tree = { '/home/ann/.my.cnf': '[client]\npassword = secret\n' };
  for (const force of [false, true]) {
    assert.throws(
      () => planPatch(input(tree, { force })),
      (err: unknown) =>
        err instanceof PatchRefused &&
        err.kind === 'usage' &&
        /\/home\/ann\/\.my\.cnf: in your home directory, which the server \(running as its own user\) does not read/.test(
          err.message,
        ) &&
        /name it with --file/.test(err.message),
    );
  }
  const named = (force: boolean) =>
    input(tree, {
      force,
      source: { ...input(tree).source, files: [{ path: '/home/ann/.my.cnf', required: true }] },
    });
  assert.throws(
    () => planPatch(named(false)),
    (err: unknown) =>
      err instanceof PatchRefused && err.kind === 'usage' && /per-user client file/.test(err.message),
  );
  assert.equal(
    after(planPatch(named(true)), '/home/ann/.my.cnf'),
    '[client]\npassword = secret\n\n[mysqld]\nwait_timeout = 600\n',
  );
});

test("~/.my.cnf (the invoking user's, read last) is never where a line is added: the server does not read it", () => {
  // The only [mysqld] is in ~/.my.cnf: a [mysqld] group goes into the main file instead.
  const onlyHome = planPatch(
    input({
      '/etc/mysql/my.cnf': '[client-server]\nsocket = /run/mysqld/mysqld.sock\n',
      '/home/ann/.my.cnf': '[mysqld]\nport = 3307\n',
    }),
  );
  assert.deepEqual(
    onlyHome.changes.map((change) => change.realPath),
    ['/etc/mysql/my.cnf'],
  );
  assert.equal(onlyHome.settings[0]?.action, 'create-group');
  // max_connections in ~/.my.cnf is no anchor either; the last [mysqld] elsewhere is.
  const neighbour = planPatch(
    input({
      '/etc/my.cnf': '[mysqld]\nport = 3306\n',
      '/home/ann/.my.cnf': '[mysqld]\nmax_connections = 10\n',
    }),
  );
  assert.equal(after(neighbour, '/etc/my.cnf'), '[mysqld]\nport = 3306\nwait_timeout = 600\n');
  assert.equal(after(neighbour, '/home/ann/.my.cnf'), undefined);
  // A value already set there is changed where it wins, with a warning about whose file it is.
  const set = planPatch(
    input({ '/etc/my.cnf': '[mysqld]\n', '/home/ann/.my.cnf': '[mysqld]\nwait_timeout=5\n' }),
  );
  assert.deepEqual(
    set.changes.map((change) => change.realPath),
    ['/home/ann/.my.cnf'],
  );
  assert.ok(
    set.warnings.some((warning) =>
      /in your home directory: the server reads it only if it runs as you/.test(warning),
    ),
  );
});

test('a file dbcache may not read is refused, naming it: what it sets could win over the edit', () => {
  const tree: Record<string, MemEntry> = {
    '/etc/my.cnf': '[mysqld]\nmax_connections = 100\n!include /etc/secret.cnf\n',
    '/etc/secret.cnf': { content: '[mysqld]\nwait_timeout = 100\n', unreadable: true },
  };
  assert.throws(
    () => planPatch(input(tree)),
    (err: unknown) =>
      err instanceof PatchRefused &&
      err.kind === 'file' &&
      /dbcache may not read \/etc\/secret\.cnf \(from \/etc\/my\.cnf line 3\), which the server reads too.*Run dbcache as root or as the server's user\. Nothing was written\.$/.test(
        err.message,
      ),
  );
  const required = { ...input(tree).source, files: [{ path: '/etc/secret.cnf', required: true }] };
  assert.throws(
    () => planPatch(input(tree, { source: required })),
    (err: unknown) =>
      err instanceof PatchRefused &&
      err.kind === 'file' &&
      /\/etc\/secret\.cnf: the file cannot be read.*run dbcache as root or as the server's user/.test(
        err.message,
      ) &&
      !/would not start/.test(err.message),
  );
});

test("no [mysqld] but another server group (the MariaDB image's [mariadb]): the line goes there, not into a new group", () => {
  const docker = {
    '/etc/mysql/my.cnf':
      '[mariadb]\nhost-cache-size=0\nskip-name-resolve\n\n[client-server]\nsocket=/run/mysqld/mysqld.sock\n\n!includedir /etc/mysql/conf.d/\n',
    '/etc/mysql/conf.d': { dir: true } as MemEntry,
  };
  const plan = planPatch(input(docker));
  assert.equal(plan.settings[0]?.action, 'insert');
  assert.equal(
    after(plan, '/etc/mysql/my.cnf'),
    '[mariadb]\nhost-cache-size=0\nskip-name-resolve\nwait-timeout=600\n\n[client-server]\nsocket=/run/mysqld/mysqld.sock\n\n!includedir /etc/mysql/conf.d/\n',
  );
  // [client-server], [galera] and version groups are no place for it: a new [mysqld] instead.
  const unsuitable = planPatch(
    input({ '/etc/my.cnf': '[client-server]\nsocket=x\n[galera]\nwsrep_on=OFF\n[mariadb-10.11]\nport=1\n' }),
  );
  assert.equal(unsuitable.settings[0]?.action, 'create-group');
  assert.match(
    after(unsuitable, '/etc/my.cnf') ?? '',
    /\[mariadb-10\.11\]\nport=1\n\n\[mysqld\]\nwait_timeout = 600\n$/,
  );
});

test('no option file it could use: refused, naming each place and why', () => {
  assert.throws(
    () =>
      planPatch(input({ '/etc/motd': 'hi\n', '/etc/mysql/my.cnf': { content: '[mysqld]\n', mode: 0o666 } })),
    /no option file that dbcache could add the setting to \(\/etc\/my\.cnf: does not exist; \/etc\/mysql\/my\.cnf: ignored by the server because anyone may write to it \(chmod o-w\); \/home\/ann\/\.my\.cnf: does not exist\)/,
  );
});

test('a server started with broken options is refused with the file and line', () => {
  assert.throws(
    () => planPatch(input({ '/etc/my.cnf': '[mysqld]\n!includedir /etc/nowhere/\n' })),
    (err: unknown) =>
      err instanceof PatchRefused && /\/etc\/my\.cnf, line 2: .*\/etc\/nowhere/.test(err.message),
  );
});

test('unknown server: a plan both flavors agree on goes ahead, one that differs asks for --flavor', () => {
  const both: ServerReader[] = [serverReader('mariadb', null), serverReader('mysql', null)];
  const agreed = planPatch(input({ '/etc/my.cnf': '[mysqld]\nwait_timeout = 100\n' }, { views: both }));
  assert.equal(agreed.settings[0]?.action, 'set');
  const tree = { '/etc/my.cnf': '[mysqld]\nwait_timeout = 100\n[mariadb]\nwait_timeout = 200\n' };
  assert.throws(
    () => planPatch(input(tree, { views: both })),
    (err: unknown) => err instanceof PatchRefused && err.kind === 'usage' && /--flavor/.test(err.message),
  );
  assert.equal(
    planPatch(input(tree, { views: [serverReader('mysql', '8.0')] })).settings[0]?.current?.seconds,
    100,
  );
  assert.equal(planPatch(input(tree)).settings[0]?.current?.seconds, 200);
});

test('an earlier alias is overridden and harmless; a value the server clamps is rewritten cleanly', () => {
  const plan = planPatch(
    input(
      { '/etc/my.cnf': '[mysqld]\nwait_tim = 5\nwait_timeout = 99999999999\n' },
      { settings: [{ name: 'wait_timeout', seconds: MAX_TIMEOUT }] },
    ),
  );
  assert.equal(plan.settings[0]?.action, 'set');
  assert.equal(after(plan, '/etc/my.cnf'), `[mysqld]\nwait_tim = 5\nwait_timeout = ${MAX_TIMEOUT}\n`);
  const same = planPatch(input({ '/etc/my.cnf': '[mysqld]\nwait_timeout = +600\n' }));
  assert.deepEqual([same.settings[0]?.action, same.changes], ['unchanged', []]);
});

test('a file included twice is edited once, and both reads see the new value', () => {
  const tree = {
    '/etc/my.cnf': '[mysqld]\n!include /etc/part.cnf\n!include /etc/alias.cnf\n',
    '/etc/part.cnf': '[mysqld]\nwait_timeout = 5\n',
    '/etc/alias.cnf': { symlink: '/etc/part.cnf' },
  };
  const plan = planPatch(input(tree));
  assert.deepEqual(
    plan.changes.map((change) => change.realPath),
    ['/etc/part.cnf'],
  );
  assert.equal(plan.settings[0]?.overridden.length, 1);
});

test('both settings: one set in place, the other added right after it', () => {
  const plan = planPatch(
    input(
      { '/etc/my.cnf': '[mysqld]\nmax-connections = 10\nwait-timeout = 5\n\n[mysqldump]\nquick\n' },
      {
        settings: [
          { name: 'wait_timeout', seconds: 600 },
          { name: 'interactive_timeout', seconds: 700 },
        ],
      },
    ),
  );
  assert.deepEqual(
    plan.settings.map((setting) => setting.action),
    ['set', 'insert'],
  );
  assert.equal(
    after(plan, '/etc/my.cnf'),
    '[mysqld]\nmax-connections = 10\nwait-timeout = 600\ninteractive-timeout = 700\n\n[mysqldump]\nquick\n',
  );
});

test('the verification refuses an edit that would move any other option', () => {
  const tree = { '/etc/my.cnf': '[mysqld]\nport = 3306\nwait_timeout = 5\n' };
  const patch = input(tree);
  const reads = patch.views.map((view) => ({
    view,
    result: readOptions({
      files: DEFAULT_FILES,
      groups: view.groups,
      fs: patch.source.fs,
      cwd: '/',
      platform: 'linux',
    }),
  }));
  const change = (text: string) => [
    {
      path: '/etc/my.cnf',
      realPath: '/etc/my.cnf',
      before: Buffer.from(tree['/etc/my.cnf']),
      after: Buffer.from(text),
    },
  ];
  assert.throws(
    () => verifyPatch(patch, reads, change('[mysqld]\nport = 3307\nwait_timeout = 600\n')),
    /another option would read differently/,
  );
  assert.throws(
    () =>
      verifyPatch(patch, reads, change('[mysqld]\nport = 3306\nwait_timeout = 600\n!include /etc/x.cnf\n')),
    /different set of files/,
  );
  assert.throws(
    () => verifyPatch(patch, reads, change('[mysqld]\nport = 3306\nwait_timeout = 60\n')),
    /would not get wait_timeout = 600/,
  );
  assert.equal(
    verifyPatch(patch, reads, change('[mysqld]\nport = 3306\nwait_timeout = 600\n')).options.at(-1)?.value,
    '600',
  );
});

test('a value the server refuses is never "already set": a NBSP before 600 is changed in place', () => {
  const plan = planPatch(input({ '/etc/my.cnf': '[mysqld]\nwait_timeout = \u00a0600\n' }));
  assert.equal(plan.settings[0]?.action, 'set');
  assert.equal(plan.settings[0]?.current?.seconds, null);
  assert.equal(after(plan, '/etc/my.cnf'), '[mysqld]\nwait_timeout = 600\n');
});

test('an earlier line the server refuses stops it even when overridden: refused, naming that line', () => {
  const tree = {
    '/etc/my.cnf': '[mysqld]\nwait_timeout = -\n',
    '/etc/mysql/my.cnf': '[mysqld]\nwait_timeout = 900\n',
  };
  assert.throws(
    () => planPatch(input(tree)),
    (err: unknown) =>
      err instanceof PatchRefused &&
      /^\/etc\/my\.cnf, line 2: wait_timeout = -: .*negative.*fix or remove that line first/.test(
        err.message,
      ),
  );
});

test('not knowing the flavor, an odd value is "cannot tell" and gets rewritten, not taken as set', () => {
  const tree = { '/etc/my.cnf': '[mysqld]\nwait_timeout = 600x\n' };
  const plan = planPatch(
    input(tree, { views: [serverReader('mariadb', '10.11'), serverReader('mysql', '10.11')] }),
  );
  assert.equal(plan.settings[0]?.action, 'set');
  assert.equal(plan.settings[0]?.current?.unreadable, 'unsure');
});

test('a file of server-side helper groups ([mysqld_safe], [galera], … with [mysqldump]) named with --file gets a [mysqld] group, said out loud', () => {
  const named = (content: string) => {
    const tree = { '/etc/mysql/conf.d/tuning.cnf': content };
    const files = [{ path: '/etc/mysql/conf.d/tuning.cnf', required: true }];
    return input(tree, { source: { ...input(tree).source, files } });
  };
  for (const helper of ['mysqld_safe', 'safe_mysqld', 'mariadbd-safe', 'mysqld_multi', 'galera']) {
    const content = `[mysqldump]\nquick\n\n[${helper}]\nnice = 0\n`;
    const plan = planPatch(named(content));
    assert.equal(plan.settings[0]?.action, 'create-group', helper);
    assert.equal(after(plan, '/etc/mysql/conf.d/tuning.cnf'), `${content}\n[mysqld]\nwait_timeout = 600\n`);
    assert.ok(
      plan.warnings.some((warning) =>
        warning.includes(
          `tuning.cnf has no group dbcache adds server settings to (only [mysqldump] [${helper}]): it adds a [mysqld] group at the end`,
        ),
      ),
      helper,
    );
  }
  for (const clientOnly of [
    '[client]\nuser = app\n',
    '[mysql]\nauto-rehash\n',
    '[mysqldump]\nquick\n',
    '[client]\n[mysql]\n[mysqldump]\n',
  ]) {
    assert.throws(
      () => planPatch(named(clientOnly)),
      (err: unknown) =>
        err instanceof PatchRefused && err.kind === 'usage' && /per-user client file/.test(err.message),
    );
  }
});
