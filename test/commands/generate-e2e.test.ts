/**
 * Every generate target, run end to end against its real library and judged by the server.
 *
 * For each target, `generate` reads the live throwaway server (wait_timeout 8 s), and a small
 * application (test/generate/apps/) on the real library runs twice at once: with the generated
 * settings and with the library's defaults (the control). Each side runs bursts of concurrent
 * queries, idles past wait_timeout, and queries again, several times.
 *
 * The oracle is the server's: with log_warnings 2 (MariaDB's default) the server writes
 * "Aborted connection N to db: ... user: 'U' ... (Got timeout reading communication packets)"
 * to its error log (@@log_error) for every connection it closes for idling (sql/sql_connect.cc,
 * end_connection). Every application side logs in as its own user, so the log says exactly how
 * many of that side's connections the server closed for idling. Most libraries hide those
 * closes from the application (a ping or a liveness check before reuse), so "the application
 * saw no error" alone proves nothing.
 *
 * All the applications run at once against the one server, in one test file (the file sets
 * global variables). HikariCP cannot keep connections shorter than 30 s (its maxLifetime floor),
 * so its users get wait_timeout 34 s through init_connect.
 *
 * The libraries come from npm (devDependencies) and Debian (python3-django, python3-sqlalchemy,
 * python3-mysqldb, golang-go, golang-github-go-sql-driver-mysql-dev, libhikaricp-java,
 * libmariadb-java, libslf4j-java, a JDK, ruby-activerecord, ruby-mysql2: .ci/run installs them);
 * without them these tests fail, they do not skip.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mysql2/promise';
import { runGenerate } from '../../src/commands/generate/index.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, tcpTarget } from '../helpers/target.ts';

const WAIT_TIMEOUT = 8;
/** Above HikariCP's 30 s floors: budget 30 s, so maxLifetime 30 s is allowed. */
const HIKARI_TIMEOUT = 34;
const GAPS = 3;
/** Past the timeout with room for a loaded two-core machine. */
const GAP_SECONDS = WAIT_TIMEOUT + 3;
const HIKARI_GAPS = 2;
const HIKARI_GAP_SECONDS = HIKARI_TIMEOUT + 4;
/** Concurrent queries per burst: the pool opens several connections. */
const CONCURRENCY = 3;
const DATABASE = 'dbcache_e2e';
const PASSWORD = 'e2e-Secret-1';
const PREFIX = 'e2e_';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const APPS = join(REPO, 'test/generate/apps');
const NODE_MODULES = join(REPO, 'node_modules');

const SIDES = [
  ...['mysql2', 'mariadb', 'mariadb34', 'knex', 'sequelize', 'typeorm', 'prisma', 'go', 'hikari'].flatMap(
    (name) => [`${name}_gen`, `${name}_ctl`],
  ),
  ...['django', 'django_held', 'sqlalchemy', 'rails', 'rails_held'].flatMap((name) => [
    `${name}_gen`,
    `${name}_ctl`,
  ]),
  'rails_held_cur',
];
const user = (side: string) => `${PREFIX}${side}`;
const users = Object.fromEntries(SIDES.map((side) => [side, user(side)]));

interface SideResult {
  errors: string[];
  session_wait_timeout?: number;
}
type AppResult = Record<string, SideResult> & { versions?: Record<string, string> };

let server: TestServer;
let admin: Connection;
let dir: string;
let logFile: string;
let logStart = 0;
const apps = new Map<string, Promise<AppResult>>();
/** Seconds from the start of the file's setup to each application's end, for the diagnostics. */
const finished = new Map<string, number>();
let idleCloses: Promise<Map<string, number>>;

async function generated(target: string, side: string, frameworkVersion?: string): Promise<string> {
  const { io, captured } = memoryIO();
  const { parseFrameworkVersion } = await import('../../src/generate/context.ts');
  const version = frameworkVersion === undefined ? undefined : parseFrameworkVersion(frameworkVersion);
  if (version instanceof Error) throw version;
  const code = await runGenerate(
    {
      target,
      list: false,
      json: false,
      passwordEnv: 'DB_PASSWORD',
      force: false,
      ...(version ? { frameworkVersion: version } : {}),
    },
    io,
    () => tcpTarget(server, io, { user: user(side), password: PASSWORD, database: DATABASE }),
  );
  assert.equal(code, 0, captured.stderr);
  return captured.stdout;
}

function execute(
  program: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeout?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      program,
      args,
      {
        cwd: options.cwd ?? dir,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, DB_PASSWORD: PASSWORD, ...options.env },
        timeout: options.timeout ?? 300_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`${program} ${args.slice(0, 2).join(' ')} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** The application's report: its last line of output. */
const report = (stdout: string): AppResult =>
  JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as AppResult;

/** A folder with a node_modules link, for a generated ES module to import its library from. */
async function moduleDir(name: string, modules: Record<string, string> | null = null): Promise<string> {
  const folder = join(dir, name);
  await mkdir(folder, { recursive: true });
  if (modules === null) await symlink(NODE_MODULES, join(folder, 'node_modules'));
  else {
    await mkdir(join(folder, 'node_modules'));
    for (const [link, target] of Object.entries(modules))
      await symlink(target, join(folder, 'node_modules', link));
  }
  return folder;
}

function control(side: string) {
  return { host: server.host, port: server.port, user: user(side), password: PASSWORD, database: DATABASE };
}

async function nodeApp(
  kind: string,
  name: string,
  options: { frameworkVersion?: string; mariadb34?: boolean; prismaClient?: string } = {},
): Promise<AppResult> {
  const folder = options.mariadb34
    ? await moduleDir(name, { mariadb: join(NODE_MODULES, 'mariadb-3.4') })
    : await moduleDir(name);
  const module = join(folder, 'generated.mjs');
  await writeFile(module, await generated(kind, `${name}_gen`, options.frameworkVersion));
  const config = {
    kind,
    module,
    control: control(`${name}_ctl`),
    gaps: GAPS,
    gapSeconds: GAP_SECONDS,
    concurrency: CONCURRENCY,
    ...(options.mariadb34 ? { mariadbModule: 'mariadb-3.4' } : {}),
    ...(options.prismaClient ? { prismaClient: options.prismaClient } : {}),
  };
  const args = options.prismaClient ? ['--import', 'tsx'] : [];
  return report(
    await execute(process.execPath, [...args, join(APPS, 'node-app.mjs'), JSON.stringify(config)], {
      cwd: REPO,
    }),
  );
}

/** Prisma's client, generated offline: the schema engine it would download is never run. */
async function prismaClient(): Promise<string> {
  const folder = await moduleDir('prisma-client');
  await writeFile(
    join(folder, 'schema.prisma'),
    'generator client {\n  provider = "prisma-client"\n  output   = "./generated"\n}\n\ndatasource db {\n  provider = "mysql"\n}\n',
  );
  await execute(
    process.execPath,
    [join(NODE_MODULES, 'prisma/build/index.js'), 'generate', '--schema', 'schema.prisma'],
    {
      cwd: folder,
      env: {
        PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true',
        CHECKPOINT_DISABLE: '1',
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
      },
    },
  );
  return join(folder, 'generated/client.ts');
}

async function pythonApp(): Promise<AppResult> {
  const folder = await moduleDir('python', {});
  const django = join(folder, 'settings_database.py');
  const sqlalchemy = join(folder, 'db.py');
  await writeFile(django, await generated('django', 'django_gen'));
  await writeFile(sqlalchemy, await generated('sqlalchemy', 'sqlalchemy_gen'));
  const config = { django, sqlalchemy, users, gaps: GAPS, gapSeconds: GAP_SECONDS, concurrency: CONCURRENCY };
  return report(await execute('/usr/bin/python3', [join(APPS, 'python_app.py'), JSON.stringify(config)]));
}

async function goApp(): Promise<AppResult> {
  const gopath = join(dir, 'gopath');
  const source = join(gopath, 'src/dbcacheapp');
  await mkdir(join(source, 'db'), { recursive: true });
  await writeFile(join(source, 'db/db.go'), await generated('go', 'go_gen'));
  await writeFile(join(source, 'main.go'), await readFile(join(APPS, 'main.go')));
  const env = { GO111MODULE: 'off', GOPATH: `${gopath}:/usr/share/gocode`, GOCACHE: join(dir, 'gocache') };
  const binary = join(dir, 'go-app');
  await execute('go', ['build', '-o', binary, 'dbcacheapp'], { env });
  const dsn = `${user('go_ctl')}:${PASSWORD}@tcp(${server.host}:${server.port})/${DATABASE}`;
  return report(await execute(binary, [dsn, String(GAPS), String(GAP_SECONDS), String(CONCURRENCY)]));
}

const JARS = ['HikariCP', 'mariadb-java-client', 'slf4j-api', 'slf4j-nop'].map(
  (jar) => `/usr/share/java/${jar}.jar`,
);

async function javaApp(): Promise<AppResult> {
  const folder = await moduleDir('java', {});
  await writeFile(join(folder, 'DatabasePool.java'), await generated('hikaricp', 'hikari_gen', '2.7'));
  await writeFile(join(folder, 'App.java'), await readFile(join(APPS, 'App.java')));
  const classpath = [...JARS, folder].join(':');
  await execute(
    'javac',
    ['-Xlint:all', '-Werror', '-cp', classpath, '-d', folder, 'App.java', 'DatabasePool.java'],
    {
      cwd: folder,
    },
  );
  const url = `jdbc:mariadb://${server.host}:${server.port}/${DATABASE}`;
  return report(
    await execute(
      'java',
      [
        '-cp',
        classpath,
        'App',
        url,
        user('hikari_ctl'),
        String(HIKARI_GAPS),
        String(HIKARI_GAP_SECONDS),
        String(CONCURRENCY),
      ],
      { cwd: folder },
    ),
  );
}

async function railsApp(): Promise<AppResult> {
  const folder = await moduleDir('rails', {});
  const yaml = join(folder, 'database.yml');
  // Debian 12's ActiveRecord is 6.1: the output for it, and (to show the difference) the default.
  await writeFile(yaml, await generated('rails', 'rails_gen', '6.1'));
  const config = { yaml, users, gaps: GAPS, gapSeconds: GAP_SECONDS, concurrency: CONCURRENCY };
  const current = join(folder, 'database-current.yml');
  await writeFile(current, await generated('rails', 'rails_held_cur'));
  return report(
    await execute('ruby', [join(APPS, 'rails_app.rb'), JSON.stringify({ ...config, yamlCurrent: current })]),
  );
}

/** How many of each user's connections the server closed for idling, from its error log. */
async function readIdleCloses(): Promise<Map<string, number>> {
  const text = (await readFile(logFile)).subarray(logStart).toString('utf8');
  const counts = new Map<string, number>();
  const pattern =
    /Aborted connection \d+ to db: '[^']*' user: '([^']*)' host: '[^']*' \(Got timeout reading communication packets\)/g;
  for (const match of text.matchAll(pattern)) {
    const name = match[1] ?? '';
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

before(async () => {
  server = await sharedServer();
  admin = await adminConnection(server);
  const [[variables]] = (await admin.query(
    'SELECT @@log_error AS log, @@log_warnings AS warnings',
  )) as unknown as [[{ log: string; warnings: number }]];
  assert.ok(
    variables.log && Number(variables.warnings) >= 2,
    'the oracle needs the server error log in a file and log_warnings >= 2 (aborted connections are logged)',
  );
  logFile = variables.log.startsWith('/') ? variables.log : join(server.dataDir ?? '', variables.log);
  logStart = (await stat(logFile)).size;
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${DATABASE}`);
  for (const side of SIDES) {
    await admin.query('CREATE OR REPLACE USER ?@? IDENTIFIED BY ?', [user(side), '%', PASSWORD]);
    await admin.query(`GRANT ALL ON ${DATABASE}.* TO ?@?`, [user(side), '%']);
  }
  await admin.query(`SET GLOBAL wait_timeout = ${WAIT_TIMEOUT}`);
  // init_connect runs at every login of a user without SUPER: HikariCP's users get a longer limit.
  await admin.query('SET GLOBAL init_connect = ?', [
    `SET SESSION wait_timeout = IF(SUBSTRING_INDEX(USER(), '@', 1) LIKE '${PREFIX}hikari%', ${HIKARI_TIMEOUT}, @@GLOBAL.wait_timeout)`,
  ]);
  dir = await mkdtemp(join(tmpdir(), 'dbcache-generate-e2e-'));
  const client = prismaClient();
  client.catch(() => undefined);
  // The longest run (HikariCP's 38 s gaps) starts first.
  apps.set('java', javaApp());
  apps.set('mysql2', nodeApp('mysql2', 'mysql2'));
  apps.set('mariadb', nodeApp('mariadb', 'mariadb'));
  apps.set('mariadb34', nodeApp('mariadb', 'mariadb34', { frameworkVersion: '3.4', mariadb34: true }));
  apps.set('knex', nodeApp('knex', 'knex'));
  apps.set('sequelize', nodeApp('sequelize', 'sequelize'));
  apps.set('typeorm', nodeApp('typeorm', 'typeorm'));
  apps.set(
    'prisma',
    client.then((path) => nodeApp('prisma', 'prisma', { prismaClient: path })),
  );
  apps.set('python', pythonApp());
  apps.set('go', goApp());
  apps.set('rails', railsApp());
  const started = Date.now();
  for (const [name, app] of apps) {
    app.catch(() => undefined).finally(() => finished.set(name, (Date.now() - started) / 1000));
  }
  idleCloses = Promise.allSettled(apps.values()).then(async () => {
    // The server writes the log line as it closes the connection; give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return readIdleCloses();
  });
});

after(async () => {
  await Promise.allSettled(apps.values());
  await admin.query('SET GLOBAL wait_timeout = DEFAULT');
  await admin.query("SET GLOBAL init_connect = ''");
  for (const side of SIDES) await admin.query('DROP USER IF EXISTS ?@?', [user(side), '%']);
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE}`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

async function closes(side: string): Promise<number> {
  return (await idleCloses).get(user(side)) ?? 0;
}

/** The strict standard: no error, and the server never closed one of the pool's connections for idling. */
async function assertHolds(app: string, name: string) {
  const result = await apps.get(app);
  assert.ok(result);
  const generatedSide = result.generated as SideResult;
  const controlSide = result.control as SideResult;
  assert.deepEqual(generatedSide.errors, [], 'the application saw no error with the generated settings');
  assert.equal(await closes(`${name}_gen`), 0, 'the server closed none of the pool connections for idling');
  assert.ok(
    (await closes(`${name}_ctl`)) >= 1,
    `control: with the library's defaults the server closed idle connections (${await closes(`${name}_ctl`)}); errors the application saw: ${controlSide.errors.length}`,
  );
}

test('mysql2: generated pool, zero idle closes; the defaults leave them to the server', () =>
  assertHolds('mysql2', 'mysql2'));
test('mariadb 3.5: minimumIdle 0 lets idleTimeout act: zero idle closes; the defaults leave them to the server', () =>
  assertHolds('mariadb', 'mariadb'));
test('knex (mysql2): zero idle closes; the defaults (min 2) leave them to the server', () =>
  assertHolds('knex', 'knex'));
test('sequelize (mysql2): zero idle closes; the defaults leave them to the server', () =>
  assertHolds('sequelize', 'sequelize'));
test('typeorm 1.x (mysql2): the default output runs, zero idle closes; the defaults leave them to the server', () =>
  assertHolds('typeorm', 'typeorm'));
test('go (database/sql + go-sql-driver): zero idle closes; the defaults leave them to the server', () =>
  assertHolds('go', 'go'));
test('hikaricp 2.7.9 at wait_timeout 34 s: maxLifetime retires connections first; the defaults leave them to the server', () =>
  assertHolds('java', 'hikari'));

/**
 * Before mariadb 3.5 a pool opens connections only while fewer than minimumIdle are idle (so the
 * least that works is 1), and its reaper stops for good the first time the pool has no
 * connection left (lib/pool.js, _stopConnectionReaping keeps the cleared timer's handle), which
 * happens when the server closes the one idle connection kept. What can be asserted: no error,
 * and fewer idle closes than the defaults (minimumIdle = connectionLimit opens the whole pool).
 */
async function assertBounded(app: string, name: string) {
  const result = await apps.get(app);
  assert.ok(result);
  assert.deepEqual(result.generated?.errors, [], 'the application saw no error with the generated settings');
  const generatedCloses = await closes(`${name}_gen`);
  const controlCloses = await closes(`${name}_ctl`);
  assert.ok(
    controlCloses > generatedCloses,
    `the defaults lose more (${controlCloses} vs ${generatedCloses})`,
  );
}

test('mariadb 3.4.5: minimumIdle 1 (0 would never connect): no error, fewer idle closes than the defaults', () =>
  assertBounded('mariadb34', 'mariadb34'));
test("prisma 7 (@prisma/adapter-mariadb with the application's mariadb 3.5 pool): zero idle closes; the adapter's defaults leave them to the server", () =>
  assertHolds('prisma', 'prisma'));

test('Django per request: no error; Django has no reaper, so the server closes at most the one idle connection per gap', async () => {
  const result = await apps.get('python');
  assert.ok(result);
  assert.deepEqual(result.django_gen?.errors, []);
  assert.ok(
    (await closes('django_gen')) <= GAPS,
    `one persistent connection per gap at most (${await closes('django_gen')})`,
  );
  // Django's default CONN_MAX_AGE 0 closes the connection after every request: the server never
  // has an idle one to close, so the defaults cannot show an idle close here.
  assert.deepEqual(result.django_ctl?.errors, []);
  assert.equal(await closes('django_ctl'), 0);
});

test('Django held (a worker calling close_old_connections): no error; kept forever (CONN_MAX_AGE None) it fails', async () => {
  const result = await apps.get('python');
  assert.ok(result);
  assert.deepEqual(result.django_held_gen?.errors, []);
  assert.ok((await closes('django_held_gen')) <= GAPS);
  assert.ok(
    (result.django_held_ctl?.errors.length ?? 0) >= 1,
    `control: a connection kept forever fails after the server closed it (${result.django_held_ctl?.errors.join('; ')})`,
  );
  assert.ok((await closes('django_held_ctl')) >= 1);
});

test('SQLAlchemy: no error (pool_recycle and pre_ping at checkout); the default pool hands out dead connections', async () => {
  const result = await apps.get('python');
  assert.ok(result);
  assert.deepEqual(result.sqlalchemy_gen?.errors, []);
  // QueuePool has no reaper either: what it keeps idle across a gap the server closes, and the
  // pool discards at the next checkout.
  assert.ok((await closes('sqlalchemy_gen')) <= GAPS * CONCURRENCY);
  assert.ok(
    (result.sqlalchemy_ctl?.errors.length ?? 0) >= 1,
    `control: the default pool hands out a connection the server closed (${result.sqlalchemy_ctl?.errors.length})`,
  );
  assert.ok((await closes('sqlalchemy_ctl')) >= 1);
});

test('Rails 6.1 per request (--framework-version 6.1): zero idle closes; the defaults raise the session wait_timeout instead', async () => {
  const result = await apps.get('rails');
  assert.ok(result);
  assert.deepEqual(result.rails_gen?.errors, []);
  assert.equal(
    result.rails_gen?.session_wait_timeout,
    WAIT_TIMEOUT,
    'the generated wait_timeout keeps the server limit',
  );
  assert.equal(await closes('rails_gen'), 0);
  // Rails' defaults cannot show an idle close: 6.1 sets the session wait_timeout to 2147483 s on
  // every connection, so the server never closes one (not even one an application leaks).
  assert.deepEqual(result.rails_ctl?.errors, []);
  assert.equal(result.rails_ctl?.session_wait_timeout, 2147483);
  assert.equal(await closes('rails_ctl'), 0);
});

test('Rails 6.1 held connection: reconnect: true recovers after the server closes it; the output for Rails 8.1 does not', async () => {
  const result = await apps.get('rails');
  assert.ok(result);
  assert.deepEqual(result.rails_held_gen?.errors, [], 'generated for 6.1: no error');
  // A held connection is never back in the pool, so no pool setting retires it: the server
  // closes it in each gap, and reconnect: true opens a new one on the next query.
  assert.ok((await closes('rails_held_gen')) >= 1);
  assert.ok(
    (result.rails_held_cur?.errors.length ?? 0) >= 1,
    'the output for the current Rails (no reconnect) breaks a held connection on 6.1',
  );
  assert.deepEqual(result.rails_held_ctl?.errors, []);
  assert.equal(result.rails_held_ctl?.session_wait_timeout, 2147483);
});

test('the counts behind the README matrix (idle closes per side, from the server log)', async (t) => {
  const counts = await idleCloses;
  for (const side of SIDES) t.diagnostic(`${side}: ${counts.get(user(side)) ?? 0} idle closes`);
  const versions = { ...(await apps.get('python'))?.versions, ...(await apps.get('rails'))?.versions };
  t.diagnostic(`versions: ${JSON.stringify(versions)}`);
  for (const [name, seconds] of finished) t.diagnostic(`${name} finished after ${seconds.toFixed(1)} s`);
  t.diagnostic(`rails_held_cur errors: ${JSON.stringify((await apps.get('rails'))?.rails_held_cur?.errors)}`);
  assert.ok(counts.size > 0, 'the log shows idle closes at all (the oracle can see them)');
});

test('why the mariadb output depends on the version: minimumIdle 0 works on 3.5.4 and never connects on 3.4.5', async () => {
  const options = { ...control('mariadb34_gen'), minimumIdle: 0, connectionLimit: 2, acquireTimeout: 2000 };
  const current = (await import('mariadb')).default.createPool(options);
  try {
    assert.ok(await current.query('SELECT 1'), 'mariadb 3.5.4 opens a connection for a waiting request');
  } finally {
    await current.end();
  }
  const old = (await import('mariadb-3.4')).default.createPool(options);
  try {
    await assert.rejects(old.query('SELECT 1'), /timeout/, 'mariadb 3.4.5 never opens one (pool timeout)');
  } finally {
    await old.end();
  }
});
