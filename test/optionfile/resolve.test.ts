import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CLIENT_GROUPS,
  effectiveValue,
  OptionFileError,
  type ReadOptionsRequest,
  readOptions,
  serverGroups,
} from '../../src/optionfile/index.ts';
import { createMemFs, type MemEntry } from './memfs.ts';

const MARIADB = serverGroups('mariadb', '10.11.6-MariaDB-0+deb12u1');

function read(
  tree: Record<string, MemEntry>,
  files: ReadOptionsRequest['files'],
  extra: Partial<ReadOptionsRequest> = {},
) {
  return readOptions({
    files,
    groups: MARIADB,
    fs: createMemFs(tree),
    cwd: '/',
    platform: 'linux',
    ...extra,
  });
}

const summary = (result: ReturnType<typeof read>) =>
  result.options.map((option) => `${option.name}=${option.value}@${option.file}:${option.line}`);

function thrown(run: () => unknown): OptionFileError {
  try {
    run();
  } catch (err) {
    if (err instanceof OptionFileError) return err;
    throw err;
  }
  assert.fail('expected an OptionFileError');
}

test('options come in read order across files, only from the wanted groups; the last one wins', () => {
  const result = read(
    {
      '/etc/my.cnf': '[mysqld]\nwait_timeout = 100\n[client]\nuser = app\n[mysqld_safe]\nwait_timeout = 1\n',
      '/etc/mysql/my.cnf': '[server]\nWait-Timeout = 200\n[mariadb-10.11]\nloose_wait_timeout = 300\n',
    },
    ['/etc/my.cnf', '/etc/mysql/my.cnf', '/root/.my.cnf'],
  );
  assert.deepEqual(summary(result), [
    'wait_timeout=100@/etc/my.cnf:2',
    'wait_timeout=200@/etc/mysql/my.cnf:2',
    'wait_timeout=300@/etc/mysql/my.cnf:4',
  ]);
  const winner = effectiveValue(result.options, 'WAIT-TIMEOUT');
  assert.equal(winner?.value, '300');
  assert.equal(winner?.rawName, 'loose_wait_timeout');
  assert.equal(winner?.loose, true);
  assert.equal(winner?.group, 'mariadb-10.11');
  assert.equal(winner?.source.text, 'loose_wait_timeout = 300');
  assert.equal(effectiveValue(result.options, 'interactive_timeout'), undefined);
  assert.deepEqual(
    result.files.map((file) => [file.path, file.status]),
    [
      ['/etc/my.cnf', 'read'],
      ['/etc/mysql/my.cnf', 'read'],
      ['/root/.my.cnf', 'missing'],
    ],
  );
});

test('group names match case-insensitively but exactly; leading blanks in a header count', () => {
  const result = read({ '/my.cnf': '[MySQLd]\na=1\n[ mysqld]\nb=2\n[mysqld ]\nc=3\n[mysqld-10]\nd=4\n' }, [
    '/my.cnf',
  ]);
  assert.deepEqual(
    result.options.map((option) => option.name),
    ['a', 'c'],
  );
});

test('client groups include dbcache’s own group; values are decoded as UTF-8 text', () => {
  const result = read(
    {
      '/home/u/.my.cnf': Buffer.from(
        '[client]\npassword = "p\xc3\xa4ss # x"\n[dbcache]\nhost = db1\n',
        'latin1',
      ),
    },
    ['/home/u/.my.cnf'],
    { groups: CLIENT_GROUPS },
  );
  assert.deepEqual(
    result.options.map((option) => [option.name, option.value, option.group]),
    [
      ['password', 'päss # x', 'client'],
      ['host', 'db1', 'dbcache'],
    ],
  );
  assert.equal(result.options[0]?.source.value, 'p\xc3\xa4ss # x');
});

test('!include paths are relative to the current directory, not to the including file', () => {
  const tree = {
    '/etc/mysql/my.cnf': '[mysqld]\n!include extra.cnf\n',
    '/etc/mysql/extra.cnf': '[mysqld]\nwhere = beside the including file\n',
    '/srv/extra.cnf': '[mysqld]\nwhere = in the current directory\n',
  };
  const fromSrv = read(tree, ['/etc/mysql/my.cnf'], { cwd: '/srv' });
  assert.deepEqual(
    fromSrv.options.map((option) => option.value),
    ['in the current directory'],
  );
  assert.equal(fromSrv.files[1]?.includedFrom?.line, 2);
  assert.equal(fromSrv.files[1]?.depth, 1);
  const fromRoot = read(tree, ['/etc/mysql/my.cnf'], { cwd: '/' });
  assert.deepEqual(fromRoot.options, []);
  assert.equal(fromRoot.files[1]?.status, 'missing');
});

test('an included file starts with no group; the including file keeps its group afterwards', () => {
  const result = read(
    {
      '/my.cnf': '[mysqld]\n!include /part.cnf\nafter = 1\n',
      '/part.cnf': '[client]\nnot_server = 1\n',
    },
    ['/my.cnf'],
  );
  assert.deepEqual(
    result.options.map((option) => option.name),
    ['after'],
  );
});

test('!includedir reads .cnf files in byte order, hidden ones too, and nothing else', () => {
  const result = read(
    {
      '/my.cnf': '[client-server]\n!includedir /conf.d/\n',
      '/conf.d/a-c.cnf': '[mysqld]\nf = a-c\n',
      '/conf.d/Z-b.cnf': '[mysqld]\nf = Z-b\n',
      '/conf.d/10-a.cnf': '[mysqld]\nf = 10-a\n',
      '/conf.d/.hidden.cnf': '[mysqld]\nf = .hidden\n',
      '/conf.d/x.bak.cnf': '[mysqld]\nf = x.bak.cnf\n',
      '/conf.d/x.cnf.bak': '[mysqld]\nf = x.cnf.bak\n',
      '/conf.d/x.ini': '[mysqld]\nf = x.ini\n',
      '/conf.d/\xe9.cnf': '[mysqld]\nf = e-acute\n',
      '/conf.d/sub.cnf/inner.cnf': '[mysqld]\nf = inner\n',
    },
    ['/my.cnf'],
  );
  assert.deepEqual(
    result.options.map((option) => option.value),
    ['.hidden', '10-a', 'Z-b', 'a-c', 'x.bak.cnf', 'e-acute'],
  );
  assert.equal(result.files.find((file) => file.path === '/conf.d/sub.cnf')?.status, 'directory');
});

test('on Windows !includedir reads .ini and .cnf, and no file is skipped as world-writable', () => {
  const tree = {
    'C:\\ProgramData\\MySQL\\my.ini': '[mysqld]\r\n!includedir C:\\ProgramData\\MySQL\\conf.d\r\n',
    'C:\\ProgramData\\MySQL\\conf.d\\a.ini': { content: '[mysqld]\r\nf = a.ini\r\n', mode: 0o666 },
    'C:\\ProgramData\\MySQL\\conf.d\\b.cnf': '[mysqld]\r\nf = b.cnf\r\n',
    'C:\\ProgramData\\MySQL\\conf.d\\c.txt': '[mysqld]\r\nf = c.txt\r\n',
  };
  const result = readOptions({
    files: [{ path: 'C:\\ProgramData\\MySQL\\my.ini', required: true }],
    groups: serverGroups('mysql', '8.0.36'),
    fs: createMemFs(tree, 'win32'),
    cwd: 'C:\\',
    platform: 'win32',
  });
  assert.deepEqual(
    result.options.map((option) => option.value),
    ['a.ini', 'b.cnf'],
  );
  assert.equal(result.files[1]?.path, 'C:\\ProgramData\\MySQL\\conf.d\\a.ini');
});

test('a missing !includedir directory is fatal in a file asked for', () => {
  const error = thrown(() =>
    read({ '/etc/my.cnf': '[mysqld]\na=1\n!includedir /etc/my.cnf.d\n' }, ['/etc/my.cnf']),
  );
  assert.equal(error.file, '/etc/my.cnf');
  assert.equal(error.line, 3);
  assert.match(error.reason, /Can't read dir of '\/etc\/my\.cnf\.d'/);
  assert.equal(
    error.message,
    `Option file /etc/my.cnf, line 3: the directory "/etc/my.cnf.d" named by !includedir cannot be read (the server says "Can't read dir of '/etc/my.cnf.d'" and stops).`,
  );
});

test('a broken included file stops only itself, with a warning; what it had before still counts', () => {
  const result = read(
    {
      '/my.cnf': '[mysqld]\na = 1\n!include /bad.cnf\n!include /no-dir.cnf\nb = 2\n',
      '/bad.cnf': '[mysqld]\nbefore = 1\n[mysqld\nafter = 1\n',
      '/no-dir.cnf': '[mysqld]\nc = 1\n!includedir /nowhere\nd = 1\n',
    },
    ['/my.cnf'],
  );
  assert.deepEqual(
    result.options.map((option) => option.name),
    ['a', 'before', 'c', 'b'],
  );
  assert.deepEqual(
    result.files.map((file) => file.status),
    ['read', 'stopped', 'stopped'],
  );
  assert.equal(result.warnings.length, 2);
  assert.match(
    result.warnings[0] ?? '',
    /^\/bad\.cnf, line 3: .*Wrong group definition.*nothing more from this included file\.$/,
  );
});

test('refusals in a file asked for throw OptionFileError naming the file and line', () => {
  const cases: [string | Buffer, number, RegExp][] = [
    [Buffer.from('\xef\xbb\xbf[mysqld]\na=1\n', 'latin1'), 1, /byte-order mark/],
    ['# x\nwait_timeout=5\n[mysqld]\n', 2, /before any \[group\] header/],
    ['[mysqld]\na=1\n[client\n', 3, /Wrong group definition/],
    ['[mysqld]\n!include \n', 2, /Wrong '!include' directive/],
  ];
  for (const [content, line, reason] of cases) {
    const error = thrown(() => read({ '/etc/my.cnf': content }, ['/etc/my.cnf']));
    assert.equal(error.line, line);
    assert.match(error.reason, reason);
    assert.match(error.message, new RegExp(`^Option file /etc/my\\.cnf, line ${line}: [^\\n]+\\.$`));
  }
});

test('an option before any group is refused even when its group would not be read', () => {
  const error = thrown(() => read({ '/my.cnf': 'user=x\n[client]\n' }, ['/my.cnf'], { groups: ['mysqld'] }));
  assert.equal(error.line, 1);
});

test('a required file must exist and be readable; an optional one may be missing', () => {
  const tree = { '/locked.cnf': { content: '[client]\nuser=x\n', unreadable: true } };
  const missing = thrown(() => read(tree, [{ path: 'my.cnf', required: true }], { cwd: '/work' }));
  assert.equal(missing.file, '/work/my.cnf');
  assert.equal(missing.line, undefined);
  assert.match(missing.message, /^Option file \/work\/my\.cnf: the file does not exist/);
  const locked = thrown(() => read(tree, [{ path: '/locked.cnf', required: true }]));
  assert.match(locked.reason, /cannot be read/);
  const optional = read(tree, ['/locked.cnf', { path: '/nothing.cnf', required: false }]);
  assert.deepEqual(
    optional.files.map((file) => file.status),
    ['unreadable', 'missing'],
  );
});

test('world-writable files are skipped with a warning, also a required one', () => {
  const result = read(
    {
      '/my.cnf': { content: '[mysqld]\nwait_timeout=1\n', mode: 0o666 },
      '/ok.cnf': { content: '[mysqld]\nwait_timeout=2\n', mode: 0o640 },
    },
    [{ path: '/my.cnf', required: true }, '/ok.cnf'],
  );
  assert.deepEqual(summary(result), ['wait_timeout=2@/ok.cnf:2']);
  assert.equal(result.files[0]?.status, 'world-writable');
  assert.match(result.warnings[0] ?? '', /Ignored \/my\.cnf because anyone may write to it/);
});

test('includes nest at most 10 levels; deeper directives are skipped with a warning', () => {
  const tree: Record<string, MemEntry> = {};
  for (let level = 0; level <= 12; level++) {
    tree[`/n${level}.cnf`] = `[mysqld]\nlevel = ${level}\n!include /n${level + 1}.cnf\n`;
  }
  const result = read(tree, ['/n0.cnf']);
  assert.equal(effectiveValue(result.options, 'level')?.value, '10');
  assert.equal(result.options.length, 11);
  assert.equal(result.warnings.length, 1);
  assert.match(result.warnings[0] ?? '', /Skipped "!include \/n11\.cnf" in \/n10\.cnf, line 3/);
});

test('an empty !include is only fatal above the nesting limit (deeper, it is just skipped)', () => {
  const tree: Record<string, MemEntry> = { '/n10.cnf': '[mysqld]\nlast = 1\n!include \n' };
  for (let level = 0; level < 10; level++) tree[`/n${level}.cnf`] = `[mysqld]\n!include /n${level + 1}.cnf\n`;
  assert.deepEqual(
    read(tree, ['/n0.cnf']).options.map((option) => option.name),
    ['last'],
  );
});

test('a file including itself stops at the nesting limit', () => {
  const result = read({ '/self.cnf': '[mysqld]\nagain = 1\n!include /self.cnf\n' }, ['/self.cnf']);
  assert.equal(result.options.length, 11);
});

test('~/ in !include is the home directory when one is given', () => {
  const tree = {
    '/etc/my.cnf': '[mysqld]\n!include ~/extra.cnf\n',
    '/home/me/extra.cnf': '[mysqld]\nfrom_home = 1\n',
  };
  assert.equal(read(tree, ['/etc/my.cnf'], { home: '/home/me' }).options[0]?.name, 'from_home');
  assert.deepEqual(read(tree, ['/etc/my.cnf']).options, []);
});

test('a file reached through a symbolic link records the real path an editor must write', () => {
  const result = read(
    {
      '/etc/mysql/mariadb.cnf': '[mysqld]\nport = 3306\n',
      '/etc/alternatives/my.cnf': { symlink: '/etc/mysql/mariadb.cnf' },
      '/etc/mysql/my.cnf': { symlink: '/etc/alternatives/my.cnf' },
    },
    ['/etc/mysql/my.cnf'],
  );
  assert.equal(result.files[0]?.path, '/etc/mysql/my.cnf');
  assert.equal(result.files[0]?.realPath, '/etc/mysql/mariadb.cnf');
  assert.equal(result.options[0]?.file, '/etc/mysql/my.cnf');
});

test('non-fatal problems become warnings, and the options are read as the server reads them', () => {
  const result = read({ '/my.cnf': '[mysqld]\nwait_timeout = 60\0 junk\n!include /x.cnf' }, ['/my.cnf']);
  assert.deepEqual(summary(result), ['wait_timeout=60@/my.cnf:2']);
  assert.equal(result.files[1]?.path, '/x.cn');
  assert.deepEqual(
    result.warnings.map((warning) => warning.split(': ')[0]),
    ['/my.cnf, line 2', '/my.cnf, line 3'],
  );
});

test('what this process may not read is "unreadable", never "missing": a file, a file in a locked directory, a locked !includedir', () => {
  const tree: Record<string, MemEntry> = {
    '/etc/my.cnf':
      '[mysqld]\nmax_connections = 100\n!include /etc/secret.cnf\n!include /etc/private/x.cnf\n!includedir /etc/private/\nport = 3306\n',
    '/etc/secret.cnf': { content: '[mysqld]\nwait_timeout = 100\n', unreadable: true },
    '/etc/private': { dir: true, locked: true },
    '/etc/private/x.cnf': '[mysqld]\nwait_timeout = 200\n',
  };
  const result = read(tree, ['/etc/my.cnf', '/etc/gone.cnf']);
  assert.deepEqual(
    result.files.map((file) => [file.path, file.status, file.depth]),
    [
      ['/etc/my.cnf', 'read', 0],
      ['/etc/secret.cnf', 'unreadable', 1],
      ['/etc/private/x.cnf', 'unreadable', 1],
      ['/etc/private', 'unreadable', 1],
      ['/etc/gone.cnf', 'missing', 0],
    ],
  );
  // The server, as another user, may list the directory: reading goes on after it.
  assert.deepEqual(summary(result), ['max_connections=100@/etc/my.cnf:2', 'port=3306@/etc/my.cnf:6']);
  const required = thrown(() => read(tree, [{ path: '/etc/private/x.cnf', required: true }]));
  assert.equal(required.kind, 'unreadable');
  assert.equal(thrown(() => read(tree, [{ path: '/etc/none.cnf', required: true }])).kind, 'missing');
});

test('with no current directory (a running server resolved paths against where it started), a relative path is refused, never guessed', () => {
  const tree = {
    '/srv/db/my.cnf': '[mysqld]\nport = 1\n!include conf/extra.cnf\n',
    '/srv/db/abs.cnf': '[mysqld]\n!include /srv/db/none.cnf\n!includedir conf.d/\n',
  };
  const top = thrown(() => read(tree, [{ path: 'my.cnf', required: true }], { cwd: null }));
  assert.deepEqual([top.kind, top.file, top.line], ['relative', 'my.cnf', undefined]);
  const included = thrown(() => read(tree, ['/srv/db/my.cnf'], { cwd: null }));
  assert.deepEqual([included.kind, included.file, included.line], ['relative', '/srv/db/my.cnf', 3]);
  assert.match(
    included.message,
    /"conf\/extra\.cnf" is a relative path, which the server resolved against the directory it was started from/,
  );
  const dir = thrown(() => read(tree, ['/srv/db/abs.cnf'], { cwd: null }));
  assert.deepEqual([dir.kind, dir.file, dir.line], ['relative', '/srv/db/abs.cnf', 3]);
  assert.deepEqual(summary(read(tree, ['/srv/db/my.cnf'], { cwd: '/srv/db' })), ['port=1@/srv/db/my.cnf:2']);
});

test('the lines the server reads come out in its order, includes in place, none past a fatal line', () => {
  const tree = {
    '/etc/my.cnf': '[mysqld]\n!includedir /etc/conf.d/\n# end\n',
    '/etc/conf.d/a.cnf': '[server]\nx = 1\n',
    '/etc/conf.d/b.cnf': '[mysqld]\n!include /etc/deep.cnf\ny = 2\n',
    '/etc/deep.cnf': '[mariadb]\nz = 3\n[broken\nnever = 1\n',
  };
  const result = read(tree, ['/etc/my.cnf']);
  assert.deepEqual(
    result.lines.map((entry) => `${entry.record.path}:${entry.line.number}`),
    [
      '/etc/my.cnf:1',
      '/etc/my.cnf:2',
      '/etc/conf.d/a.cnf:1',
      '/etc/conf.d/a.cnf:2',
      '/etc/conf.d/b.cnf:1',
      '/etc/conf.d/b.cnf:2',
      '/etc/deep.cnf:1',
      '/etc/deep.cnf:2',
      '/etc/conf.d/b.cnf:3',
      '/etc/my.cnf:3',
    ],
  );
  for (const entry of result.lines) assert.equal(entry.record.doc?.lines[entry.index], entry.line);
});
