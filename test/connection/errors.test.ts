import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, cliFlags, runCli } from '../helpers/target.ts';

let server: TestServer;
let admin: Connection;
let scratch: string;
before(async () => {
  server = await sharedServer();
  admin = await adminConnection(server);
  await admin.query("CREATE USER IF NOT EXISTS 'dbc_pw'@'%' IDENTIFIED BY 'right-password'");
  scratch = await mkdtemp(join(tmpdir(), 'dbcache-errors-'));
});
after(async () => {
  await admin.query("DROP USER IF EXISTS 'dbc_pw'@'%'");
  await admin.end();
  await rm(scratch, { recursive: true, force: true });
});

/** A port nothing listens on: bound and released just now. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');

test('a refused port names host and port, exit code "connection"', async () => {
  const port = await closedPort();
  const result = await runCli(['check-timeout', '--no-defaults', '-h', '127.0.0.1', '-P', String(port)]);
  assert.equal(result.code, ExitCode.connection);
  assert.match(result.stderr, new RegExp(`127\\.0\\.0\\.1:${port}.*connection refused`));
  noStack(result.stderr);
});

test('a server that answers the greeting with an error and keeps the socket open: the error, exit 3, no hang', async () => {
  // What MariaDB sends a blocked host (error 1129), and then, unlike MariaDB, the socket stays
  // open; and the text carries an escape sequence, which must not reach the terminal.
  const text = Buffer.from("Host '127.0.0.1' is blocked because of many connection errors\u001b[31m");
  const body = Buffer.concat([Buffer.from([0xff, 0x69, 0x04]), text]);
  const packet = Buffer.concat([Buffer.from([body.length, 0, 0, 0]), body]);
  const open = new Set<Socket>();
  const blocking = createServer((socket) => {
    open.add(socket);
    socket.on('error', () => undefined);
    socket.write(packet);
  });
  await new Promise<void>((resolve) => blocking.listen(0, '127.0.0.1', resolve));
  const { port } = blocking.address() as { port: number };
  try {
    const flags = ['--no-defaults', '-h', '127.0.0.1', '-P', String(port), '--ssl-mode', 'DISABLED'];
    const started = Date.now();
    const results = await Promise.all([
      runCli(['check-timeout', ...flags]),
      runCli(['probe-idle', ...flags, '--max', '5']),
    ]);
    for (const result of results) {
      assert.equal(result.code, ExitCode.connection, result.stderr);
      assert.match(result.stderr, /is blocked because of many connection errors\\x1b\[31m/);
      assert.ok(!result.stderr.includes('\u001b'), 'no escape character reaches the terminal');
      noStack(result.stderr);
    }
    assert.ok(Date.now() - started < 15_000, 'both ended at once, not at a timeout');
  } finally {
    for (const socket of open) socket.destroy();
    await new Promise((resolve) => blocking.close(resolve));
  }
});

test('something that is not a MySQL server (a greeting cut short): named as such, exit 3', async () => {
  const greeting = Buffer.from([0x0a, 0x35, 0x2e]);
  const impostor = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(Buffer.concat([Buffer.from([greeting.length, 0, 0, 0]), greeting]));
  });
  await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
  const { port } = impostor.address() as { port: number };
  try {
    const result = await runCli(['check-timeout', '--no-defaults', '-h', '127.0.0.1', '-P', String(port)]);
    assert.equal(result.code, ExitCode.connection, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `^dbcache: The server at 127\\.0\\.0\\.1:${port} .*did not answer like a MySQL or MariaDB server`,
      ),
    );
    noStack(result.stderr);
  } finally {
    await new Promise((resolve) => impostor.close(resolve));
  }
});

test('a missing socket names the socket path', async () => {
  const socket = join(scratch, 'nothing-here.sock');
  const result = await runCli(['check-timeout', '--no-defaults', '-S', socket]);
  assert.equal(result.code, ExitCode.connection);
  assert.match(result.stderr, new RegExp(`socket ${socket.replace(/[.]/g, '\\.')}.*no such file`));
  noStack(result.stderr);
});

test('a wrong password names the user, exit code "authentication", and never prints the password', async () => {
  const result = await runCli(['check-timeout', ...cliFlags(server, 'dbc_pw'), '--password=wrong-password']);
  assert.equal(result.code, ExitCode.authentication);
  assert.match(result.stderr, /refused user 'dbc_pw' \(using password: YES\)/);
  assert.match(result.stderr, /warning: a password on the command line/);
  assert.doesNotMatch(result.stderr + result.stdout, /wrong-password/);
  noStack(result.stderr);
});

test('the right password from MYSQL_PWD works, and from a piped -p prompt too', async () => {
  const flags = ['check-timeout', ...cliFlags(server, 'dbc_pw'), '--json'];
  const fromEnv = await runCli(flags, { MYSQL_PWD: 'right-password' });
  assert.equal(fromEnv.code, 0, fromEnv.stderr);
  assert.equal(JSON.parse(fromEnv.stdout).connection.user, 'dbc_pw');
  assert.doesNotMatch(fromEnv.stdout, /right-password/);
  const prompted = await runCli([...flags, '-p'], {}, 'right-password\n');
  assert.equal(prompted.code, 0, prompted.stderr);
  assert.equal(JSON.parse(prompted.stdout).connection.user, 'dbc_pw');
  assert.doesNotMatch(prompted.stdout + prompted.stderr, /right-password/);
  assert.doesNotMatch(prompted.stderr, /warning: a password on the command line/, '-p alone is the safe way');
});

test('an option file supplies the connection, and its errors name file and line', async () => {
  const good = join(scratch, 'good.cnf');
  await writeFile(
    good,
    `[client]\nhost = ${server.host}\nport = ${server.port}\nuser = dbc_pw\npassword = right-password\n`,
  );
  const ok = await runCli(['check-timeout', `--defaults-file=${good}`, '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).connection.user, 'dbc_pw');

  const bad = join(scratch, 'bad.cnf');
  await writeFile(bad, '# comment\nport = 3306\n');
  const broken = await runCli(['check-timeout', `--defaults-file=${bad}`]);
  assert.equal(broken.code, ExitCode.file);
  assert.match(broken.stderr, new RegExp(`${bad.replace(/[.]/g, '\\.')}.*line 2`));
  noStack(broken.stderr);

  const missing = await runCli(['check-timeout', `--defaults-file=${join(scratch, 'absent.cnf')}`]);
  assert.equal(missing.code, ExitCode.file);
  assert.match(missing.stderr, /absent\.cnf/);
});

test('a world-writable option file is ignored with a warning, as the client does', async () => {
  const open = join(scratch, 'open.cnf');
  await writeFile(open, `[client]\nport = ${server.port}\n`);
  await chmod(open, 0o666);
  const result = await runCli(['check-timeout', `--defaults-file=${open}`, '-h', server.host, '--json']);
  assert.match(result.stderr, /warning: Ignored .*open\.cnf because anyone may write to it/);
  // Its port was not used: dbcache went to the default 3306 (whether or not a server is there).
  assert.match(result.stdout + result.stderr, /127\.0\.0\.1:3306/);
  assert.doesNotMatch(result.stdout + result.stderr, new RegExp(`:${server.port}\\b`));
});

test('a word typed after a bare -p is never echoed', async () => {
  const result = await runCli(['check-timeout', '--no-defaults', '-p', 'hunter2-secret']);
  assert.equal(result.code, ExitCode.usage);
  assert.match(result.stderr, /-p takes no separate value/);
  assert.doesNotMatch(result.stderr + result.stdout, /hunter2-secret/);
});

test('unknown commands and flags are usage errors', async () => {
  const unknownCommand = await runCli(['check-timeuot']);
  assert.equal(unknownCommand.code, ExitCode.usage);
  const unknownFlag = await runCli(['check-timeout', '--no-defaults', '--bogus']);
  assert.equal(unknownFlag.code, ExitCode.usage);
  assert.match(unknownFlag.stderr, /bogus/);
  const badPort = await runCli(['check-timeout', '--no-defaults', '-P', 'x']);
  assert.equal(badPort.code, ExitCode.usage);
  assert.match(badPort.stderr, /port "x"/);
  const hugeTimeout = await runCli(['check-timeout', '--no-defaults', '--connect-timeout', '2147484']);
  assert.equal(hugeTimeout.code, ExitCode.usage);
  assert.match(hugeTimeout.stderr, /from 1 to 2147483/);
  const missingArgument = await runCli(['set-timeout']);
  assert.equal(missingArgument.code, ExitCode.usage);
  assert.match(missingArgument.stderr, /set-timeout is missing its argument/);
  const version = await runCli(['--version']);
  assert.equal(
    version.stdout.trim(),
    JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')).version,
  );
});
