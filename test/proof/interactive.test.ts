/**
 * The README's central claim, on the real server: a connection that sets CLIENT_INTERACTIVE at
 * login (as the mysql shell does) gets interactive_timeout as its session wait_timeout; one
 * that does not (every pool driver) gets the global wait_timeout. And the one reader of the
 * timeouts (src/server/timeouts.ts) reports the session value, whichever it is.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { type Connection, createConnection } from 'mysql2/promise';
import { runCheckTimeout } from '../../src/commands/check-timeout/index.ts';
import type { TimeoutReport } from '../../src/commands/check-timeout/report.ts';
import { readTimeouts } from '../../src/server/timeouts.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, tcpTarget } from '../helpers/target.ts';

const run = promisify(execFile);

let server: TestServer;
let admin: Connection;
before(async () => {
  server = await sharedServer();
  admin = await adminConnection(server);
  await admin.query('SET GLOBAL wait_timeout = 111, GLOBAL interactive_timeout = 222');
});
after(async () => {
  await admin.query('SET GLOBAL wait_timeout = DEFAULT, GLOBAL interactive_timeout = DEFAULT');
  await admin.end();
});

const open = (flags: string[]) =>
  createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    flags,
  });

test('CLIENT_INTERACTIVE at login: the session wait_timeout is the global interactive_timeout', async () => {
  const shell = await open(['INTERACTIVE']);
  try {
    const reading = await readTimeouts(shell);
    assert.deepEqual(reading.globalTimeouts, { wait_timeout: 111, interactive_timeout: 222 });
    assert.equal(reading.session.wait_timeout, 222, 'what the mysql shell shows as @@wait_timeout');
    assert.equal(reading.poolTimeout, 222, 'the reader reports the session value it was given');
  } finally {
    await shell.end();
  }
});

test('without it, as every pool driver connects: the global wait_timeout', async () => {
  const pool = await open([]);
  try {
    const reading = await readTimeouts(pool);
    assert.equal(reading.session.wait_timeout, 111);
    assert.equal(reading.session.interactive_timeout, 222);
    assert.equal(reading.poolTimeout, 111);
  } finally {
    await pool.end();
  }
});

test('check-timeout connects non-interactive, so it reports what a pool gets, not what the shell shows', async () => {
  const { io, captured } = memoryIO();
  await runCheckTimeout({ json: true }, io, tcpTarget(server, io));
  const report = JSON.parse(captured.stdout) as TimeoutReport;
  assert.equal(report.application_timeout, 111);
  assert.equal(report.session.wait_timeout, 111);
  assert.ok(report.findings.some((finding) => finding.code === 'interactive-differs'));
});

test('the mysql shell itself, on a terminal, is an interactive client: @@wait_timeout there shows interactive_timeout', async () => {
  // On a terminal (script(1) gives it a pty) the shell sets CLIENT_INTERACTIVE; with -e or a
  // pipe it is in batch mode and does not, which is why the claim is tested the way people type it.
  const shell = [
    findProgram(['mariadb', 'mysql'], 'mariadb-client-core'),
    '--no-defaults',
    '--protocol=TCP',
    `--host=${server.host}`,
    `--port=${server.port}`,
    `--user=${server.user}`,
    ...(server.password ? [`--password=${server.password}`] : []),
    '--skip-ssl',
  ].join(' ');
  const typed =
    "SELECT CONCAT('session=', @@session.wait_timeout, ',global=', @@global.wait_timeout);\nquit\n";
  const output = await onTerminal(shell, typed);
  assert.match(output, /session=222,global=111/);

  const batch = await run(findProgram(['mariadb', 'mysql'], 'mariadb-client-core'), [
    ...shell.split(' ').slice(1),
    '-N',
    '-e',
    'SELECT @@session.wait_timeout',
  ]);
  assert.equal(batch.stdout.trim(), '111', 'in batch mode (-e) it is not interactive');
});

/** Runs `command` on a pseudo-terminal (util-linux script(1)), typing `input`; resolves with what it printed. */
function onTerminal(command: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      findProgram(['script'], 'bsdutils'),
      ['-qec', command, '/dev/null'],
      { timeout: 20_000 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
    child.stdin?.end(input);
  });
}

function findProgram(names: string[], debianPackage: string): string {
  for (const dir of ['/usr/bin', '/usr/local/bin', '/bin']) {
    for (const name of names) if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  throw new Error(`No ${names.join(' or ')} on this machine: install ${debianPackage} (what .ci/run does).`);
}
