import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { readWarnings } from '../../src/commands/set-timeout/apply.ts';
import { setTimeoutCommand } from '../../src/commands/set-timeout/command.ts';
import { runSetTimeout, type SetTimeoutOptions } from '../../src/commands/set-timeout/index.ts';
import type { SetTimeoutReport } from '../../src/commands/set-timeout/report.ts';
import { parseTimeoutRequest } from '../../src/commands/set-timeout/request.ts';
import type { ServerTarget } from '../../src/connection/target.ts';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { hasEscapeCodes } from '../helpers/ansi.ts';
import { interceptedTarget } from '../helpers/intercept.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, cliFlags, runCli, tcpTarget } from '../helpers/target.ts';

let server: TestServer;
let admin: Connection;
before(async () => {
  server = await sharedServer();
  admin = await adminConnection(server);
  await admin.query("CREATE USER IF NOT EXISTS 'dbc_nosuper'@'%' IDENTIFIED BY 'nosuper-pw'");
});
afterEach(() => admin.query('SET GLOBAL wait_timeout = DEFAULT, GLOBAL interactive_timeout = DEFAULT'));
after(async () => {
  await admin.query("DROP USER IF EXISTS 'dbc_nosuper'@'%'");
  await admin.end();
});

const DEFAULTS = { interactive: false, persist: false, dryRun: false, force: false, json: true };

/** The seconds for a value typed as on the command line; the tests of bad values go through the command. */
function secondsOf(value: string, force = false): number {
  const seconds = parseTimeoutRequest(value, force);
  if (seconds instanceof Error) throw seconds;
  return seconds;
}

/** Options for runSetTimeout with the value as typed. */
const optionsFor = (value: string, options: Partial<SetTimeoutOptions> = {}): SetTimeoutOptions => ({
  ...DEFAULTS,
  ...options,
  seconds: secondsOf(value, options.force),
});

async function runSet(value: string, options: Partial<SetTimeoutOptions> = {}, target?: ServerTarget) {
  const { io, captured } = memoryIO();
  const code = await runSetTimeout(optionsFor(value, options), io, target ?? tcpTarget(server, io));
  return {
    code,
    ...captured,
    report: options.json === false ? undefined : (JSON.parse(captured.stdout) as SetTimeoutReport),
  };
}

/** The UserError a run ends with; fails the test when it does not end with one. */
async function failure(run: Promise<unknown>): Promise<UserError> {
  try {
    await run;
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  assert.fail('expected the command to fail');
}

async function globals(): Promise<{ wait: number; interactive: number }> {
  const [rows] = await admin.query<RowDataPacket[]>(
    'SELECT @@global.wait_timeout AS w, @@global.interactive_timeout AS i',
  );
  return { wait: Number(rows[0]?.w), interactive: Number(rows[0]?.i) };
}

/** SET statements the server has run since it started, from every session: proves nothing was sent. */
async function setStatementsRun(): Promise<number> {
  const [rows] = await admin.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Com_set_option'");
  return Number(rows[0]?.Value);
}

test('the global changes and reads back; a new connection gets it, an already-open one keeps its old value', async () => {
  const alreadyOpen = await adminConnection(server);
  try {
    const { code, report } = await runSet('2m');
    assert.equal(code, ExitCode.ok);
    assert.ok(report);
    assert.deepEqual(report.statements, ['SET GLOBAL wait_timeout = 120']);
    assert.deepEqual(report.undo, ['SET GLOBAL wait_timeout = 28800']);
    assert.equal(report.before.wait_timeout, 28800);
    assert.equal(report.after?.wait_timeout, 120);
    assert.equal(
      report.after?.interactive_timeout,
      28800,
      'interactive_timeout is left alone without --interactive',
    );
    assert.equal(report.changed, true);
    assert.equal(report.verified, true);
    assert.equal(
      report.this_connection?.wait_timeout,
      28800,
      "dbcache's own connection was opened before the change",
    );
    assert.equal(report.new_connection?.wait_timeout, 120);
    assert.equal(report.server.flavor, 'MariaDB');
    assert.match(report.server.account, /^'root'@'[^']+'$/);
    assert.deepEqual(report.warnings, []);
    const codes = report.notes.map((note) => note.code);
    for (const code of ['open-connections-keep-old-value', 'interactive-unchanged', 'not-persisted'])
      assert.ok(codes.includes(code), code);
    assert.match(
      report.notes.find((note) => note.code === 'not-persisted')?.message ?? '',
      // The suite's server runs with --no-defaults: patch-config would refuse it.
      /--wait-timeout=120 on the command that starts the server/,
    );
    assert.doesNotMatch(
      report.notes.find((note) => note.code === 'not-persisted')?.message ?? '',
      /--persist/,
      'MariaDB has no SET PERSIST to offer',
    );

    // What the report claims, checked independently.
    assert.deepEqual(await globals(), { wait: 120, interactive: 28800 });
    const [[open]] = await alreadyOpen.query<RowDataPacket[]>('SELECT @@session.wait_timeout AS w');
    assert.equal(Number(open?.w), 28800, 'a connection opened before keeps its session value');
    const fresh = await adminConnection(server);
    const [[now]] = await fresh.query<RowDataPacket[]>('SELECT @@session.wait_timeout AS w');
    await fresh.end();
    assert.equal(Number(now?.w), 120, 'a connection opened after gets the new value');
  } finally {
    await alreadyOpen.end();
  }
});

test('--interactive sets both, and the table view says what changed and how to undo it', async () => {
  await admin.query('SET GLOBAL wait_timeout = 900');
  const { code, stdout } = await runSet('5m', { interactive: true, json: false });
  assert.equal(code, ExitCode.ok);
  assert.deepEqual(await globals(), { wait: 300, interactive: 300 });
  assert.match(stdout, /SET GLOBAL wait_timeout = 300;\n {2}SET GLOBAL interactive_timeout = 300;/);
  assert.match(stdout, /wait_timeout\s+│ 900 s\s+│ 300 s/);
  assert.match(stdout, /interactive_timeout\s+│ 28800 s\s+│ 300 s/);
  assert.match(stdout, /A connection opened after the change gets wait_timeout 300 s/);
  assert.match(stdout, /To undo: SET GLOBAL interactive_timeout = 28800; SET GLOBAL wait_timeout = 900;/);
  assert.doesNotMatch(stdout, /interactive_timeout stays/);
  assert.ok(!hasEscapeCodes(stdout), 'no escape codes when not a terminal');
});

const BAD_INPUT: Array<[string, RegExp]> = [
  ['abc', /"abc" is not a duration/],
  ['', /"" is not a duration/],
  ['10 minutes', /is not a duration/],
  ['1e3', /is not a duration/],
  ['0', /0 s is not possible: the server accepts 1 to 31536000 s/],
  ['0m', /0 s is not possible/],
  ['-5', /"-5" is negative/],
  ['-1m', /is negative/],
  ['1.5', /"1.5" is a fraction: wait_timeout takes whole seconds/],
  ['1.5m', /"1.5m" is a fraction: wait_timeout takes whole seconds \(1.5m is 90\)/],
  ['31536001', /31536001 s is more than the server allows: wait_timeout goes up to 31536000 s/],
  ['366d', /366d is 31622400 s, more than the server allows/],
  ['99999999999999999999', /far too large/],
  ['9', /A wait_timeout of 9 s makes pooled applications reconnect constantly.*add --force/],
];

test('every bad input is a usage error before any connection is opened', async () => {
  const before = await setStatementsRun();
  for (const [value, message] of BAD_INPUT) {
    const { io } = memoryIO();
    const target = interceptedTarget(tcpTarget(server, io), async (sql) => sql);
    let resolved = 0;
    const err = await failure(
      setTimeoutCommand.run(
        { seconds: value, interactive: false, force: false, json: true },
        io,
        Object.assign(
          () => {
            resolved++;
            return target;
          },
          { interrupts: target.interrupts },
        ),
      ),
    );
    assert.equal(err.exitCode, ExitCode.usage, value);
    assert.match(err.message, message, value);
    assert.match(err.message, /Nothing was sent to the server\./, value);
    assert.equal(resolved, 0, `${value}: the connection settings were not even resolved`);
    assert.equal(target.connects(), 0, `${value}: no connection was opened`);
  }
  assert.equal(await setStatementsRun(), before, 'the server ran no SET statement');
  assert.deepEqual(await globals(), { wait: 28800, interactive: 28800 });
});

test('under 10 s needs --force, and then goes through', async () => {
  const { code, report } = await runSet('9', { force: true });
  assert.equal(code, ExitCode.ok);
  assert.equal(report?.after?.wait_timeout, 9);
  assert.equal((await globals()).wait, 9);
});

test('--dry-run prints the exact statements and sends none', async () => {
  await admin.query('SET GLOBAL wait_timeout = 700');
  const before = await setStatementsRun();
  const { code, report } = await runSet('1h', { interactive: true, dryRun: true });
  assert.equal(code, ExitCode.ok);
  assert.equal(await setStatementsRun(), before, 'the server ran no SET statement');
  assert.deepEqual(await globals(), { wait: 700, interactive: 28800 });
  assert.ok(report);
  assert.equal(report.dry_run, true);
  assert.deepEqual(report.statements, [
    'SET GLOBAL wait_timeout = 3600',
    'SET GLOBAL interactive_timeout = 3600',
  ]);
  assert.deepEqual(report.undo, ['SET GLOBAL interactive_timeout = 28800', 'SET GLOBAL wait_timeout = 700']);
  assert.equal(report.after, null);
  assert.equal(report.verified, false);
  assert.equal(report.new_connection, null);

  const table = await runSet('1h', { dryRun: true, json: false });
  assert.match(
    table.stdout,
    /Dry run: these statements would run; nothing was changed\.\n {2}SET GLOBAL wait_timeout = 3600;/,
  );
  assert.match(table.stdout, /wait_timeout\s+│ 700 s\s+│ 3600 s/);
  assert.equal((await globals()).wait, 700);
});

test('a user without SUPER gets the GRANT to run, the privilege exit code, and the server unchanged', async () => {
  await admin.query('SET GLOBAL wait_timeout = 650');
  for (const interactive of [false, true]) {
    const { io, captured } = memoryIO();
    const target = tcpTarget(server, io, { user: 'dbc_nosuper', password: 'nosuper-pw' });
    const err = await failure(runSetTimeout(optionsFor('300', { interactive }), io, target));
    assert.equal(err.exitCode, ExitCode.privilege);
    assert.match(
      err.message,
      /User 'dbc_nosuper'@'%' may not change wait_timeout on MariaDB [\d.]+ at 127\.0\.0\.1:\d+/,
    );
    assert.match(err.message, /SET GLOBAL needs the SUPER privilege/);
    assert.match(
      err.message,
      /the server said: "Access denied; you need \(at least one of\) the SUPER privilege\(s\)/,
    );
    assert.match(err.message, /GRANT SUPER ON \*\.\* TO 'dbc_nosuper'@'%';/);
    assert.match(err.message, /Nothing was changed\.$/);
    assert.doesNotMatch(err.message, /nosuper-pw/);
    assert.equal(captured.stdout, '', 'no report for a change that did not happen');
    assert.deepEqual(await globals(), { wait: 650, interactive: 28800 });
  }
});

test('--interactive is all or nothing: when the second statement fails, the first is put back', async () => {
  await admin.query('SET GLOBAL wait_timeout = 800, GLOBAL interactive_timeout = 1800');
  const seen: string[] = [];
  // The seam: the second SET reaches the server as one it refuses (error 1231 under STRICT_ALL_TABLES).
  const target = interceptedTarget(tcpTarget(server, memoryIO().io), async (sql, connection) => {
    seen.push(sql);
    if (!sql.startsWith('SET GLOBAL interactive_timeout')) return sql;
    await connection.query("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
    return 'SET GLOBAL interactive_timeout = 0';
  });
  const { io } = memoryIO();
  const err = await failure(runSetTimeout(optionsFor('300', { interactive: true }), io, target));
  assert.equal(err.exitCode, ExitCode.server);
  assert.match(
    err.message,
    /The server refused SET GLOBAL interactive_timeout = 300: error 1231 \(ER_WRONG_VALUE_FOR_VAR\): Variable 'interactive_timeout' can't be set to the value of '0'\. /,
  );
  assert.match(
    err.message,
    /dbcache had already changed wait_timeout \(800 s → 300 s\) and put it back with SET GLOBAL wait_timeout = 800, so the server is as it was\./,
  );
  assert.deepEqual(await globals(), { wait: 800, interactive: 1800 });
  assert.deepEqual(
    seen.filter((sql) => sql.startsWith('SET')),
    [
      'SET GLOBAL wait_timeout = 300',
      'SET GLOBAL interactive_timeout = 300',
      'SET GLOBAL wait_timeout = 800',
    ],
  );
});

test('when the connection is lost between the two statements, the first is put back over a new connection', async () => {
  const target = interceptedTarget(tcpTarget(server, memoryIO().io), async (sql, connection) => {
    if (sql === 'SET GLOBAL interactive_timeout = 300')
      await admin.query('KILL CONNECTION ?', [connection.threadId]);
    return sql;
  });
  const err = await failure(runSetTimeout(optionsFor('300', { interactive: true }), memoryIO().io, target));
  assert.equal(err.exitCode, ExitCode.connection);
  assert.match(
    err.message,
    /The connection to 127\.0\.0\.1:\d+ was lost while running SET GLOBAL interactive_timeout = 300/,
  );
  // The lost statement may have run before the kill: it is undone too, which is harmless if not.
  assert.match(
    err.message,
    /dbcache had already changed wait_timeout \(28800 s → 300 s\), and SET GLOBAL interactive_timeout = 300 may have taken effect before the connection was lost, so dbcache put them back on a new connection with SET GLOBAL interactive_timeout = 28800; SET GLOBAL wait_timeout = 28800 \(harmless if it never ran\), and the server is as it was\./,
  );
  assert.deepEqual(await globals(), { wait: 28800, interactive: 28800 });
  assert.equal(target.connects(), 2);
});

test('a statement whose connection was lost may have taken effect: it is undone, never reported as "nothing was changed"', async () => {
  await admin.query('SET GLOBAL wait_timeout = 700');
  // The server runs the statement and the connection dies before the answer arrives: here the
  // admin applies it and kills the connection, and the statement then meets a dead socket.
  const target = interceptedTarget(tcpTarget(server, memoryIO().io), async (sql, connection) => {
    if (sql === 'SET GLOBAL wait_timeout = 300') {
      await admin.query(sql);
      await admin.query('KILL CONNECTION ?', [connection.threadId]);
    }
    return sql;
  });
  const err = await failure(runSetTimeout(optionsFor('300'), memoryIO().io, target));
  assert.equal(err.exitCode, ExitCode.connection);
  assert.doesNotMatch(err.message, /Nothing was changed/);
  assert.match(
    err.message,
    /SET GLOBAL wait_timeout = 300 may have taken effect before the connection was lost, so dbcache put it back on a new connection with SET GLOBAL wait_timeout = 700 \(harmless if it never ran\), and the server is as it was\./,
  );
  assert.deepEqual(await globals(), { wait: 700, interactive: 28800 });
  assert.equal(target.connects(), 2);
});

test('when putting back fails too, the message says the server is not as it was and what to run', async () => {
  const base = tcpTarget(server, memoryIO().io);
  const target = interceptedTarget(base, async (sql, connection) => {
    if (sql === 'SET GLOBAL interactive_timeout = 300')
      await admin.query('KILL CONNECTION ?', [connection.threadId]);
    return sql;
  });
  const once: ServerTarget = {
    ...target,
    connect: () =>
      target.connects() === 0
        ? target.connect()
        : Promise.reject(new UserError('the server went away', ExitCode.connection)),
  };
  const err = await failure(runSetTimeout(optionsFor('300', { interactive: true }), memoryIO().io, once));
  assert.equal(err.exitCode, ExitCode.connection);
  assert.match(
    err.message,
    /putting it back failed too \(the server went away\), so the server may NOT be as it was/,
  );
  assert.match(
    err.message,
    /Run this as an administrator to undo it: SET GLOBAL interactive_timeout = 28800; SET GLOBAL wait_timeout = 28800;$/,
  );
  // The message describes the real state: the first statement stayed.
  assert.deepEqual(await globals(), { wait: 300, interactive: 28800 });
});

test("the server's warnings are read after each statement and shown, and a value that did not stick is not 'verified'", async () => {
  const [result] = await admin.query('SET GLOBAL wait_timeout = 0');
  assert.ok(result);
  const warnings = await readWarnings(admin, 'SET GLOBAL wait_timeout = 0');
  assert.deepEqual(
    warnings.map((w) => [w.level, w.code, w.message]),
    [['Warning', 1292, "Truncated incorrect wait_timeout value: '0'"]],
  );
  await admin.query('SET GLOBAL wait_timeout = DEFAULT');

  // Through the command: the server clamps a value it was sent and says so (warning 1292).
  const target = interceptedTarget(tcpTarget(server, memoryIO().io), async (sql) =>
    sql === 'SET GLOBAL wait_timeout = 120' ? 'SET GLOBAL wait_timeout = 99999999999' : sql,
  );
  const { io, captured } = memoryIO();
  const code = await runSetTimeout(optionsFor('120', { json: false }), io, target);
  assert.equal(code, ExitCode.checkFailed);
  assert.match(
    captured.stdout,
    /The server warned:\n {2}Warning 1292: Truncated incorrect wait_timeout value: '99999999999'/,
  );
  assert.match(captured.stdout, /reads back 31536000 s, not 120 s/);
});

test('--persist on MariaDB is refused before anything changes, saying how to keep the value instead', async () => {
  const before = await setStatementsRun();
  const err = await failure(runSet('600', { persist: true }));
  assert.equal(err.exitCode, ExitCode.usage);
  assert.match(err.message, /MariaDB has no SET PERSIST/);
  // The suite's server runs with --no-defaults: patch-config would refuse it.
  assert.match(err.message, /--wait-timeout=600 on the command that starts the server/);
  assert.match(err.message, /Nothing was changed\.$/);
  assert.equal(await setStatementsRun(), before);
  assert.deepEqual(await globals(), { wait: 28800, interactive: 28800 });
});

test('the CLI end to end: JSON, usage errors with their exit code, --help with examples', async () => {
  const ok = await runCli(['set-timeout', '3m', '--json', ...cliFlags(server)]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as SetTimeoutReport).after?.wait_timeout, 180);
  assert.equal((await globals()).wait, 180);

  const table = await runCli(['set-timeout', '4m', ...cliFlags(server)], { NO_COLOR: '1' });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /Ran:\n {2}SET GLOBAL wait_timeout = 240;/);

  for (const [value, message] of [
    ['soon', /"soon" is not a duration/],
    ['-5', /"-5" is negative/],
    ['5', /add --force/],
  ] as const) {
    const bad = await runCli(['set-timeout', value, ...cliFlags(server)]);
    assert.equal(bad.code, ExitCode.usage, value);
    assert.match(bad.stderr, message);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.equal((await globals()).wait, 240);
  const missing = await runCli(['set-timeout', ...cliFlags(server)]);
  assert.equal(missing.code, ExitCode.usage);

  const asNoSuper = cliFlags(server).map((flag) => (flag === server.user ? 'dbc_nosuper' : flag));
  const denied = await runCli(['set-timeout', '300', ...asNoSuper], {
    MYSQL_PWD: 'nosuper-pw',
  });
  assert.equal(denied.code, ExitCode.privilege, denied.stderr);
  assert.match(denied.stderr, /GRANT SUPER ON \*\.\* TO 'dbc_nosuper'@'%';/);

  const help = await runCli(['set-timeout', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--interactive/);
  assert.match(help.stdout, /--dry-run/);
  assert.match(help.stdout, /dbcache set-timeout 10m --interactive --dry-run/);
});

/** A target whose statement after the first SET (past its SHOW WARNINGS) is handed to `then`. */
function failingReadBack(then: (sql: string, connection: Connection) => Promise<string>) {
  let sent = false;
  return interceptedTarget(tcpTarget(server, memoryIO().io), async (sql, connection) => {
    if (sql.startsWith('SET GLOBAL')) sent = true;
    else if (sent && sql !== 'SHOW WARNINGS') {
      sent = false;
      return then(sql, connection);
    }
    return sql;
  });
}

test('when the read-back is lost after the change, the report still comes, unverified, with the undo; exit 3', async () => {
  const target = failingReadBack(async (sql, connection) => {
    await admin.query('KILL CONNECTION ?', [connection.threadId]);
    return sql;
  });
  const { io, captured } = memoryIO();
  const code = await runSetTimeout(optionsFor('300'), io, target);
  assert.equal(code, ExitCode.connection);
  const report = JSON.parse(captured.stdout) as SetTimeoutReport;
  assert.equal(report.dry_run, false);
  assert.equal(report.after, null);
  assert.equal(report.verified, false);
  assert.equal(report.changed, true, 'the server accepted a statement that changes the value');
  assert.deepEqual(report.statements, ['SET GLOBAL wait_timeout = 300']);
  assert.deepEqual(report.undo, ['SET GLOBAL wait_timeout = 28800']);
  assert.match(
    report.notes.find((note) => note.code === 'not-read-back')?.message ?? '',
    /The change was sent and the server accepted it, but it could not be read back \(.+\)/,
  );
  // The report is right: the change did happen.
  assert.equal((await globals()).wait, 300);
});

test('when the read-back fails otherwise, the table says so and shows the undo; exit 1', async () => {
  const target = failingReadBack(async () => 'SELECT * FROM no_such_database.no_such_table');
  const { io, captured } = memoryIO();
  const code = await runSetTimeout(optionsFor('5m', { json: false }), io, target);
  assert.equal(code, ExitCode.checkFailed);
  assert.match(captured.stdout, /Ran:\n {2}SET GLOBAL wait_timeout = 300;/);
  assert.match(captured.stdout, /wait_timeout\s+│ 28800 s\s+│ not read back/);
  assert.match(
    captured.stdout,
    /warning The change was sent and the server accepted it, but it could not be read back/,
  );
  assert.match(captured.stdout, /To undo: SET GLOBAL wait_timeout = 28800;\n$/);
  assert.equal((await globals()).wait, 300);
});

/**
 * `set-timeout 300 --interactive` from wait_timeout 900, with `signal` pressed when `pressOn` says
 * so of a statement about to be sent: the failure, what was printed and every statement sent.
 */
async function interruptedChange(
  pressOn: (sql: string, sent: readonly string[]) => boolean,
  signal: 'SIGINT' | 'SIGTERM' = 'SIGINT',
) {
  await admin.query('SET GLOBAL wait_timeout = 900');
  const seen: string[] = [];
  const base = tcpTarget(server, memoryIO().io);
  const target = interceptedTarget(base, async (sql) => {
    if (pressOn(sql, seen)) base.interrupts.press(signal);
    seen.push(sql);
    return sql;
  });
  const { io, captured } = memoryIO();
  const err = await failure(runSetTimeout(optionsFor('300', { interactive: true }), io, target));
  return { err, captured, seen };
}

test('Ctrl-C while the statements run: the running one finishes, the change is undone, exit 130', async () => {
  const { err, captured, seen } = await interruptedChange((sql) => sql === 'SET GLOBAL wait_timeout = 300');
  assert.equal(err.exitCode, ExitCode.interrupted);
  assert.match(
    err.message,
    /^Interrupted \(Ctrl-C\) while changing the server, after SET GLOBAL wait_timeout = 300: dbcache finished the statement it was running and then undid the change\. It ran SET GLOBAL wait_timeout = 900, so the server is as it was\.$/,
  );
  assert.equal(captured.stdout, '');
  assert.match(captured.stderr, /press Ctrl-C again/, 'the held press is acknowledged');
  assert.deepEqual(await globals(), { wait: 900, interactive: 28800 });
  assert.deepEqual(
    seen.filter((sql) => sql.startsWith('SET')),
    ['SET GLOBAL wait_timeout = 300', 'SET GLOBAL wait_timeout = 900'],
    'interactive_timeout was never sent',
  );
});

test('Ctrl-C while the change is read back is held too: the read-back finishes, the change is undone, exit 130', async () => {
  // The first statement of the read-back: the change is in, not yet verified.
  const { err, captured } = await interruptedChange(
    (sql, sent) =>
      sql.startsWith('SHOW GLOBAL VARIABLES') && sent.some((earlier) => earlier.startsWith('SET GLOBAL')),
  );
  assert.equal(err.exitCode, ExitCode.interrupted);
  assert.match(
    err.message,
    /^Interrupted \(Ctrl-C\) while reading back the change, after SET GLOBAL wait_timeout = 300; SET GLOBAL interactive_timeout = 300: dbcache finished the statement it was running and then undid the change\. It ran SET GLOBAL interactive_timeout = 28800; SET GLOBAL wait_timeout = 900, so the server is as it was\.$/,
  );
  assert.equal(captured.stdout, '');
  assert.match(captured.stderr, /press Ctrl-C again/, 'the held press is acknowledged');
  assert.deepEqual(await globals(), { wait: 900, interactive: 28800 });
});

test('SIGTERM while the statements run is held like Ctrl-C: the change is undone, exit 130', async () => {
  const { err } = await interruptedChange((sql) => sql === 'SET GLOBAL wait_timeout = 300', 'SIGTERM');
  assert.equal(err.exitCode, ExitCode.interrupted);
  assert.match(
    err.message,
    /^Interrupted \(SIGTERM\) while changing the server, after SET GLOBAL wait_timeout = 300/,
  );
  assert.deepEqual(await globals(), { wait: 900, interactive: 28800 });
});

test('Ctrl-C before the change gives up the statement in flight: nothing changed, exit 130; a press during the undo of a failure is noted', async () => {
  const before = tcpTarget(server, memoryIO().io);
  const reading = interceptedTarget(before, async (sql) => {
    if (sql.startsWith('SHOW GLOBAL VARIABLES')) before.interrupts.press('SIGINT');
    return sql;
  });
  const early = await failure(runSetTimeout(optionsFor('300'), memoryIO().io, reading));
  assert.equal(early.exitCode, ExitCode.interrupted);
  assert.match(
    early.message,
    /^Interrupted \(Ctrl-C\) while waiting for the server at .+ to answer SHOW GLOBAL VARIABLES/,
  );
  assert.equal((await globals()).wait, 28800);

  await admin.query('SET GLOBAL wait_timeout = 800');
  const base = tcpTarget(server, memoryIO().io);
  const failing = interceptedTarget(base, async (sql, connection) => {
    if (sql === 'SET GLOBAL wait_timeout = 800') base.interrupts.press('SIGINT');
    if (!sql.startsWith('SET GLOBAL interactive_timeout')) return sql;
    await connection.query("SET SESSION sql_mode = 'STRICT_ALL_TABLES'");
    return 'SET GLOBAL interactive_timeout = 0';
  });
  const err = await failure(runSetTimeout(optionsFor('300', { interactive: true }), memoryIO().io, failing));
  assert.equal(err.exitCode, ExitCode.server, 'the failure is the news; Ctrl-C changed nothing');
  assert.match(
    err.message,
    /put it back with SET GLOBAL wait_timeout = 800, so the server is as it was\. \(Ctrl-C came while dbcache was putting the server back; it finished that first\.\)$/,
  );
  assert.deepEqual(await globals(), { wait: 800, interactive: 28800 });
});

test("the GRANT hint works whatever the administrator's sql_mode, for names with quotes and backslashes", async () => {
  const accounts = [
    { create: "'dbc_o''q'@'%'", user: "dbc_o'q" },
    { create: "`dbc_b\\s`@'%'", user: 'dbc_b\\s' },
  ];
  for (const account of accounts) {
    await admin.query(`CREATE USER IF NOT EXISTS ${account.create} IDENTIFIED BY 'quoted-pw'`);
    try {
      const { io } = memoryIO();
      const target = tcpTarget(server, io, { user: account.user, password: 'quoted-pw' });
      const err = await failure(runSetTimeout(optionsFor('300'), io, target));
      assert.equal(err.exitCode, ExitCode.privilege, account.user);
      const grant = /An administrator can grant it with: (GRANT [^;]+);/.exec(err.message)?.[1];
      assert.ok(grant, err.message);
      for (const mode of ['', 'NO_BACKSLASH_ESCAPES', 'ANSI_QUOTES,NO_BACKSLASH_ESCAPES']) {
        const session = await adminConnection(server);
        try {
          await session.query(`SET SESSION sql_mode = '${mode}'`);
          await session.query(grant);
        } finally {
          await session.end();
        }
        const [rows] = await admin.query<RowDataPacket[]>(
          'SELECT Super_priv AS s FROM mysql.user WHERE User = ?',
          [account.user],
        );
        assert.equal(rows[0]?.s, 'Y', `${grant} under sql_mode '${mode}' granted to ${account.user}`);
        await admin.query(`REVOKE SUPER ON *.* FROM ${account.create}`);
      }
    } finally {
      await admin.query(`DROP USER IF EXISTS ${account.create}`);
    }
  }
});
