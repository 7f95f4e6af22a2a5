/**
 * The MySQL 8 paths (SET PERSIST, its privilege, mysqld-auto.cnf, Windows and managed servers)
 * against the protocol-level fake in test/helpers/mysql8-fake.ts: no MySQL 8 server can be
 * installed here. The fake answers as MySQL 8.0 does; what it does not know fails as a syntax error.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { runSetTimeout, type SetTimeoutOptions } from '../../src/commands/set-timeout/index.ts';
import type { SetTimeoutReport } from '../../src/commands/set-timeout/report.ts';
import { parseTimeoutRequest } from '../../src/commands/set-timeout/request.ts';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { interceptedTarget } from '../helpers/intercept.ts';
import { memoryIO } from '../helpers/io.ts';
import { type FakeMysql8, type FakeMysql8Options, startMysql8Fake } from '../helpers/mysql8-fake.ts';
import type { TestServer } from '../helpers/server.ts';
import { cliFlags, runCli, tcpTarget } from '../helpers/target.ts';

const DEFAULTS = { interactive: false, persist: false, dryRun: false, force: false, json: true };

/** Options for runSetTimeout with the value as typed on the command line. */
function optionsFor(value: string, options: Partial<SetTimeoutOptions> = {}): SetTimeoutOptions {
  const seconds = parseTimeoutRequest(value, options.force ?? false);
  if (seconds instanceof Error) throw seconds;
  return { ...DEFAULTS, ...options, seconds };
}
let fake: FakeMysql8 | undefined;
afterEach(() => fake?.close());

async function start(options: FakeMysql8Options = {}): Promise<FakeMysql8> {
  fake = await startMysql8Fake({ privilegedUsers: ['admin'], ...options });
  return fake;
}

/** The fake where the helpers take a test server: they use only its address and user. */
const asTestServer = (server: FakeMysql8, user = 'admin') =>
  ({ host: server.host, port: server.port, user, password: '' }) as TestServer;

/** A target for the fake, as if given with -h/-P/-u. */
const fakeTarget = (server: FakeMysql8, user = 'admin') =>
  tcpTarget(asTestServer(server, user), memoryIO().io);

async function run(
  server: FakeMysql8,
  value: string,
  options: Partial<SetTimeoutOptions> = {},
  user = 'admin',
) {
  const { io, captured } = memoryIO();
  const code = await runSetTimeout(optionsFor(value, options), io, fakeTarget(server, user));
  return {
    code,
    stdout: captured.stdout,
    report: options.json === false ? undefined : (JSON.parse(captured.stdout) as SetTimeoutReport),
  };
}

async function failure(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  assert.fail('expected the command to fail');
}

const changes = (server: FakeMysql8) => server.changes().map((statement) => statement.sql);

test('--persist runs SET PERSIST, reads mysqld-auto.cnf back, and the value survives a restart', async () => {
  const server = await start();
  const { code, report } = await run(server, '10m', { persist: true });
  assert.equal(code, ExitCode.ok);
  assert.ok(report);
  assert.deepEqual(changes(server), ['SET PERSIST wait_timeout = 600']);
  assert.deepEqual(report.statements, ['SET PERSIST wait_timeout = 600']);
  assert.deepEqual(report.undo, ['SET GLOBAL wait_timeout = 28800', 'RESET PERSIST IF EXISTS wait_timeout']);
  assert.deepEqual(report.before.persisted, { wait_timeout: null, interactive_timeout: null });
  assert.deepEqual(report.after?.persisted, { wait_timeout: 600, interactive_timeout: null });
  assert.equal(report.after?.wait_timeout, 600);
  assert.equal(report.new_connection?.wait_timeout, 600);
  assert.equal(report.this_connection?.wait_timeout, 28800);
  assert.equal(report.server.flavor, 'MySQL');
  assert.equal(report.server.account, "'admin'@'%'");
  assert.match(
    report.notes.find((note) => note.code === 'persisted')?.message ?? '',
    /mysqld-auto\.cnf.*keeps it after a restart/,
  );
  server.restart();
  assert.equal(server.global.get('wait_timeout'), '600');
  assert.equal(server.global.get('interactive_timeout'), '28800');
});

test('without --persist MySQL 8 gets SET GLOBAL, and the note offers --persist', async () => {
  const server = await start();
  const { report } = await run(server, '600');
  assert.deepEqual(changes(server), ['SET GLOBAL wait_timeout = 600']);
  assert.match(
    report?.notes.find((note) => note.code === 'not-persisted')?.message ?? '',
    /--persist \(SET PERSIST\), or dbcache patch-config --wait-timeout 600/,
  );
  server.restart();
  assert.equal(server.global.get('wait_timeout'), '28800', 'SET GLOBAL is lost at restart');
});

test('a user without SYSTEM_VARIABLES_ADMIN is told which privilege SET PERSIST needs and the GRANT', async () => {
  const server = await start();
  const err = await failure(run(server, '600', { persist: true, interactive: true }, 'app'));
  assert.equal(err.exitCode, ExitCode.privilege);
  assert.match(err.message, /User 'app'@'%' may not change wait_timeout on MySQL 8\.0\.36/);
  assert.match(
    err.message,
    /SET PERSIST needs the SYSTEM_VARIABLES_ADMIN privilege \(or the deprecated SUPER\)/,
  );
  assert.match(err.message, /GRANT SYSTEM_VARIABLES_ADMIN ON \*\.\* TO 'app'@'%';/);
  assert.match(err.message, /Nothing was changed\.$/);
  assert.deepEqual(
    changes(server),
    ['SET PERSIST wait_timeout = 600'],
    'the refused statement, and nothing after it',
  );
  assert.equal(server.global.get('wait_timeout'), '28800');
  assert.equal(server.persisted.size, 0);
});

test('--persist --interactive rollback puts back the runtime values and mysqld-auto.cnf', async () => {
  // wait_timeout is not persisted; interactive_timeout is persisted as 7200 but 3600 at run time.
  const server = await start({ persisted: { interactive_timeout: '7200' } });
  server.global.set('interactive_timeout', '3600');
  const target = interceptedTarget(fakeTarget(server), async (sql) =>
    sql.startsWith('SET PERSIST interactive_timeout') ? 'SET PERSIST interactive_timeout = 1x' : sql,
  );
  const err = await failure(
    runSetTimeout(optionsFor('600', { persist: true, interactive: true }), memoryIO().io, target),
  );
  assert.equal(err.exitCode, ExitCode.server);
  assert.match(err.message, /error 1232 \(ER_WRONG_TYPE_FOR_VAR\)/);
  assert.match(
    err.message,
    /put it back with SET GLOBAL wait_timeout = 28800; RESET PERSIST IF EXISTS wait_timeout, so the server is as it was/,
  );
  assert.equal(server.global.get('wait_timeout'), '28800');
  assert.equal(server.global.get('interactive_timeout'), '3600');
  assert.deepEqual(Object.fromEntries(server.persisted), { interactive_timeout: '7200' });
});

test('a rollback of an already-persisted value that differs from the running one restores both', async () => {
  const server = await start({ persisted: { wait_timeout: '7200' } });
  server.global.set('wait_timeout', '3600');
  const target = interceptedTarget(fakeTarget(server), async (sql) =>
    sql.startsWith('SET PERSIST interactive_timeout') ? 'SET PERSIST interactive_timeout = x' : sql,
  );
  const err = await failure(
    runSetTimeout(optionsFor('600', { persist: true, interactive: true }), memoryIO().io, target),
  );
  assert.match(
    err.message,
    /SET PERSIST wait_timeout = 7200; SET GLOBAL wait_timeout = 3600, so the server is as it was/,
  );
  assert.equal(server.global.get('wait_timeout'), '3600');
  assert.deepEqual(Object.fromEntries(server.persisted), { wait_timeout: '7200' });
});

test('a Windows server refuses more than 2147483 s before any SET is sent', async () => {
  const server = await start({ compileOs: 'Win64' });
  const err = await failure(run(server, '30d'));
  assert.equal(err.exitCode, ExitCode.usage);
  assert.match(
    err.message,
    /2592000 s is more than this server allows: it runs on Windows \(version_compile_os Win64\), where wait_timeout goes up to 2147483 s/,
  );
  assert.deepEqual(changes(server), []);
  const { code } = await run(server, '24d');
  assert.equal(code, ExitCode.ok);
  assert.deepEqual(changes(server), ['SET GLOBAL wait_timeout = 2073600']);
});

test('MySQL 5.7 has no SET PERSIST: --persist is refused whole, pointing to patch-config', async () => {
  const server = await start({ version: '5.7.44-log' });
  const err = await failure(run(server, '600', { persist: true }));
  assert.equal(err.exitCode, ExitCode.usage);
  assert.match(err.message, /MySQL 5\.7\.44 has no SET PERSIST \(it came with MySQL 8\.0\)/);
  assert.match(err.message, /dbcache patch-config --wait-timeout 600/);
  assert.deepEqual(changes(server), []);
});

test('Amazon RDS: the refusal names the DB parameter group, and a dry run warns ahead', async () => {
  const server = await start({ basedir: '/rdsdbbin/mysql-8.0.36.R2/' });
  const err = await failure(run(server, '600', {}, 'rdsadmin_user'));
  assert.equal(err.exitCode, ExitCode.privilege);
  assert.match(err.message, /Amazon RDS does not let users change wait_timeout with SET GLOBAL/);
  assert.match(
    err.message,
    /the setting lives in the DB parameter group attached to the instance: change wait_timeout there/,
  );
  assert.equal(server.global.get('wait_timeout'), '28800');

  const { report } = await run(server, '600', { dryRun: true }, 'rdsadmin_user');
  assert.equal(report?.server.managed?.provider, 'Amazon RDS');
  assert.match(report?.notes[0]?.message ?? '', /This looks like Amazon RDS, which refuses SET GLOBAL/);
});

test('--persist is refused when mysqld-auto.cnf cannot be read, since it could not be put back', async () => {
  const server = await start({ canReadPersisted: () => false });
  const err = await failure(run(server, '600', { persist: true }));
  assert.equal(err.exitCode, ExitCode.privilege);
  assert.match(err.message, /Could not read performance_schema\.persisted_variables \(SELECT command denied/);
  assert.deepEqual(changes(server), []);
});

test('persisted_globals_load=OFF is pointed out: the server ignores mysqld-auto.cnf at startup', async () => {
  const server = await start({ global: { persisted_globals_load: 'OFF' } });
  const { report } = await run(server, '600', { persist: true });
  assert.match(
    report?.notes.find((note) => note.code === 'persisted')?.message ?? '',
    /persisted_globals_load=OFF/,
  );
});

test('the CLI end to end against the fake: --persist --json', async () => {
  const server = await start();
  const result = await runCli([
    'set-timeout',
    '15m',
    '--persist',
    '--json',
    ...cliFlags(asTestServer(server)),
  ]);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as SetTimeoutReport;
  assert.deepEqual(report.after?.persisted, { wait_timeout: 900, interactive_timeout: null });
  assert.equal(server.persisted.get('wait_timeout'), '900');
});
