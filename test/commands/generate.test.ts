import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  lstat,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import { type GenerateOptions, runGenerate } from '../../src/commands/generate/index.ts';
import { type GenerateReport, TARGET_NAMES, TARGETS } from '../../src/generate/index.ts';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { memoryIO } from '../helpers/io.ts';
import { requireRoot } from '../helpers/root.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, cliFlags, runCli, tcpTarget } from '../helpers/target.ts';

const APP_USER = 'dbcache_generate_app';
const APP_PASSWORD = 'Gen-S3cret!pw';

let server: TestServer;
let admin: Connection;
let dir: string;
before(async () => {
  server = await sharedServer();
  admin = await adminConnection(server);
  await admin.query(`CREATE OR REPLACE USER '${APP_USER}'@'%' IDENTIFIED BY '${APP_PASSWORD}'`);
  dir = await mkdtemp(join(tmpdir(), 'dbcache-generate-'));
});
after(async () => {
  await admin.query(
    "SET GLOBAL wait_timeout = DEFAULT, GLOBAL interactive_timeout = DEFAULT, GLOBAL init_connect = ''",
  );
  await admin.query(`DROP USER IF EXISTS '${APP_USER}'@'%'`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

const base: GenerateOptions = {
  target: undefined,
  list: false,
  json: false,
  passwordEnv: 'DB_PASSWORD',
  force: false,
};

async function generate(options: Partial<GenerateOptions>, flags: Parameters<typeof tcpTarget>[2] = {}) {
  const { io, captured } = memoryIO({}, dir);
  const code = await runGenerate({ ...base, ...options }, io, () => tcpTarget(server, io, flags));
  return { code, ...captured };
}

test('reads the timeout from the server, and reports interactive_timeout where it differs', async () => {
  await admin.query('SET GLOBAL wait_timeout = 123, GLOBAL interactive_timeout = 456');
  const { code, stdout } = await generate({ target: 'mysql2', json: true });
  assert.equal(code, ExitCode.ok);
  const report = JSON.parse(stdout) as GenerateReport;
  assert.equal(report.timeout.wait_timeout, 123);
  assert.equal(report.timeout.source, 'server');
  assert.equal(report.timeout.server?.interactive_timeout, 456);
  assert.equal(report.timeout.server?.flavor, 'MariaDB');
  assert.deepEqual(report.derived, {
    mode: 'normal',
    timeout: 123,
    margin: 13,
    budget: 110,
    lifetime: 110,
    idle_timeout: 109,
    keepalive: 55,
  });
  assert.deepEqual(Object.keys(report.targets), ['mysql2']);
  assert.equal(report.targets.mysql2?.settings.idleTimeout, 109000);
  assert.match(report.targets.mysql2?.code ?? '', /interactive_timeout is 456 s/);
  assert.match(
    report.targets.mysql2?.code ?? '',
    new RegExp(`port: ${server.port},`),
    'connection details come from the resolved connection',
  );
});

test('the session value wins over the global one (init_connect for an ordinary user)', async () => {
  await admin.query('SET GLOBAL wait_timeout = 600, GLOBAL interactive_timeout = 600');
  await admin.query("SET GLOBAL init_connect = 'SET SESSION wait_timeout = 77'");
  const { stdout } = await generate(
    { target: 'django', json: true },
    { user: APP_USER, password: APP_PASSWORD },
  );
  const report = JSON.parse(stdout) as GenerateReport;
  assert.equal(report.timeout.wait_timeout, 77);
  assert.equal(report.timeout.server?.global_wait_timeout, 600);
  assert.equal(report.targets.django?.settings.CONN_MAX_AGE, 69);
  assert.match(report.targets.django?.code ?? '', /global wait_timeout is 600 s/);
  assert.ok(!stdout.includes(APP_PASSWORD), 'the password never appears');
  assert.match(report.targets.django?.code ?? '', new RegExp(`"USER": "${APP_USER}"`));
  await admin.query("SET GLOBAL init_connect = ''");
});

test('--timeout works offline: the connection is never resolved', async () => {
  const { io, captured } = memoryIO();
  const code = await runGenerate(
    { ...base, target: 'sqlalchemy', timeout: 300, flags: { host: 'db9', port: '3310', user: 'web' } },
    io,
    () => {
      throw new Error('target() must not be called with --timeout');
    },
  );
  assert.equal(code, ExitCode.ok);
  assert.match(captured.stdout, /pool_recycle=270,/);
  assert.match(captured.stdout, /host="db9",\n {4}port=3310,/);
  assert.match(captured.stdout, /Given with --timeout: wait_timeout = 300 s/);
  assert.equal(captured.stderr, '');
});

test('a tiny timeout warns on stderr; the default 28800 is capped and says why', async () => {
  await admin.query('SET GLOBAL wait_timeout = 3');
  const tiny = await generate({ target: 'mysql2' });
  assert.match(tiny.stderr, /warning: wait_timeout is 3 s: that is almost certainly a mistake/);
  assert.match(tiny.stdout, /maxIdle: 0,/);
  await admin.query('SET GLOBAL wait_timeout = DEFAULT');
  const huge = await generate({ target: 'hikaricp' });
  assert.match(huge.stderr, /capped at 1800 s/);
  assert.match(huge.stdout, /config\.setMaxLifetime\(1800000L\);/);
});

test('--json without a target gives every target; an unknown or missing target is a usage error that lists them', async () => {
  const all = JSON.parse((await generate({ json: true, timeout: 600 })).stdout) as GenerateReport;
  assert.equal(Object.keys(all.targets).length, 12);
  assert.equal(all.targets.rails?.settings.wait_timeout, 600);
  for (const options of [{ target: 'hibernate' }, {}]) {
    await assert.rejects(generate(options), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.equal(error.exitCode, ExitCode.usage);
      assert.match(
        error.message,
        /django, django-pool, sqlalchemy, mysql2, mariadb, knex, sequelize, typeorm, prisma, go, hikaricp, rails/,
      );
      return true;
    });
  }
});

test('--out writes the file atomically and refuses to replace one without --force', async () => {
  const out = join(dir, 'db.mjs');
  const first = await generate({ target: 'knex', timeout: 60, out: 'db.mjs' });
  assert.equal(first.stdout, '', 'the code goes to the file, not to stdout');
  assert.match(first.stderr, /Wrote .*db\.mjs: knex settings for wait_timeout 60 s/);
  assert.match(await readFile(out, 'utf8'), /idleTimeoutMillis: 53000,/);

  await writeFile(out, 'mine\n');
  await assert.rejects(generate({ target: 'knex', timeout: 60, out }), (error: unknown) => {
    assert.ok(error instanceof UserError);
    assert.equal(error.exitCode, ExitCode.file);
    assert.match(error.message, /already exists; nothing was written\. Add --force/);
    return true;
  });
  assert.equal(await readFile(out, 'utf8'), 'mine\n', 'the existing file is untouched');

  await generate({ target: 'knex', timeout: 120, out, force: true });
  assert.match(await readFile(out, 'utf8'), /idleTimeoutMillis: 107000,/);
  assert.deepEqual(
    (await readdir(dir)).filter((name) => name.endsWith('.tmp')),
    [],
    'no temporary file is left behind',
  );

  await assert.rejects(
    generate({ target: 'knex', timeout: 60, out: join(dir, 'missing', 'db.mjs') }),
    /directory .*missing does not exist/,
  );
  assert.equal(existsSync(join(dir, 'missing')), false);
});

test('--out --force replaces the file a symlink points to, keeping the link, its mode and its owner', async () => {
  const real = join(dir, 'settings_real.py');
  const link = join(dir, 'settings.py');
  await writeFile(real, 'SECRET_KEY = "mine"\n', { mode: 0o600 });
  await chmod(real, 0o600);
  // The file gets another owner, which the new file must keep.
  requireRoot('keeping the owner of a replaced file');
  await chown(real, 4321, 4322);
  await symlink('settings_real.py', link);
  const before = await stat(real);

  await generate({ target: 'django', timeout: 600, out: 'settings.py', force: true });
  assert.ok((await lstat(link)).isSymbolicLink(), 'the link is still a link');
  assert.equal(await readlink(link), 'settings_real.py');
  assert.match(await readFile(real, 'utf8'), /CONN_MAX_AGE/, 'the file it points to was replaced');
  const after = await stat(real);
  assert.equal((after.mode & 0o777).toString(8), '600', 'not world-readable');
  assert.deepEqual([before.uid, before.gid], [4321, 4322]);
  assert.deepEqual([after.uid, after.gid], [before.uid, before.gid]);

  // A new file gets the ordinary 0644 (less the umask).
  await generate({ target: 'django', timeout: 600, out: 'fresh.py' });
  assert.equal((await stat(join(dir, 'fresh.py'))).mode & 0o777 & ~0o644, 0);
  assert.deepEqual(
    (await readdir(dir)).filter((name) => name.endsWith('.tmp')),
    [],
    'no temporary file is left behind',
  );
});

test('--list fits an 80-column terminal: two plain columns, each summary wrapped whole', async () => {
  const { io, captured } = memoryIO();
  assert.equal(await runGenerate({ ...base, list: true }, io, () => assert.fail('no connection')), 0);
  const lines = captured.stdout.trimEnd().split('\n');
  for (const line of lines) assert.ok(line.length < 80, `${line.length} columns: ${line}`);
  const names = lines.filter((line) => /^\S/.test(line)).map((line) => line.split(/\s+/)[0]);
  assert.deepEqual(names, [...TARGET_NAMES]);
  const indent = lines.find((line) => /^\s/.test(line))?.search(/\S/);
  const rails = TARGETS.find((target) => target.name === 'rails')?.summary ?? '';
  const railsLines = lines.slice(lines.findIndex((line) => line.startsWith('rails ')));
  assert.equal(railsLines.map((line) => line.slice(indent).trim()).join(' '), rails, 'no word lost');
});

test('warnings reach stderr with --json too, and are in the document', async () => {
  const { stdout, stderr } = await generate({ target: 'hikaricp', json: true, timeout: 20 });
  const report = JSON.parse(stdout) as GenerateReport;
  const warning = report.targets.hikaricp?.warnings[0] ?? '';
  assert.match(warning, /cannot honour wait_timeout 20 s/);
  assert.ok(stderr.includes(`dbcache: warning: ${warning}`), stderr);
});

test('the CLI end to end: code on stdout, --list, usage errors and no password in the output', async () => {
  await admin.query('SET GLOBAL wait_timeout = 600');
  const flags = [
    ...cliFlags(server).filter((flag) => flag !== server.user && flag !== '-u'),
    '-u',
    APP_USER,
    `--password=${APP_PASSWORD}`,
  ];
  const result = await runCli(['generate', 'mysql2', ...flags], { NO_COLOR: '1' });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /export const pool = mysql\.createPool\(/);
  assert.match(result.stdout, /idleTimeout: 300000,/);
  assert.ok(!result.stdout.includes(APP_PASSWORD) && !result.stderr.includes(APP_PASSWORD.slice(4)));

  const list = await runCli(['generate', '--list']);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /hikaricp/);

  const unknown = await runCli(['generate', 'hibernate', '--timeout', '600']);
  assert.equal(unknown.code, ExitCode.usage);
  assert.match(unknown.stderr, /There is no target "hibernate": choose one of django, /);
  for (const size of ['0', 'ten', '2.5']) {
    const badSize = await runCli(['generate', 'go', '--timeout', '600', '--pool-size', size]);
    assert.equal(badSize.code, ExitCode.usage);
    assert.match(
      badSize.stderr,
      new RegExp(`--pool-size takes a whole number from 1 to 10000; "${size}" is not one`),
    );
  }
  const badTimeout = await runCli(['generate', 'go', '--timeout', 'soon']);
  assert.equal(badTimeout.code, ExitCode.usage);
  assert.match(badTimeout.stderr, /--timeout: "soon" is not a duration/);

  const offline = await runCli([
    'generate',
    'rails',
    '--timeout',
    '10m',
    '--framework-version',
    '8.1',
    '-h',
    'db1',
    '-u',
    'web',
  ]);
  assert.equal(offline.code, 0, offline.stderr);
  assert.match(offline.stdout, /^ {2}max_age: 540 /m);
  assert.match(offline.stdout, /^ {2}host: "db1"$/m);
});
