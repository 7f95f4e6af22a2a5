/**
 * "Passwords never appear in any output, --json included": every command, run as a user does
 * (the built CLI), with the password given on the command line, in MYSQL_PWD and inside a
 * --url, in its human and its --json view, on success and on a refused login.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, runCli } from '../helpers/target.ts';

const USER = 'dbc_nopw';
// Distinctive, with characters a URL must encode, so any echo of it (raw or encoded) is found.
const PASSWORD = 'Pw7f3a-s3cr#t/x';
const LEAKS = [PASSWORD, encodeURIComponent(PASSWORD), Buffer.from(PASSWORD).toString('base64')];

let server: TestServer;
let admin: Connection;
let dir: string;
before(async () => {
  server = await sharedServer();
  admin = await adminConnection(server);
  await admin.query(`CREATE USER IF NOT EXISTS '${USER}'@'%' IDENTIFIED BY '${PASSWORD}'`);
  await admin.query(`GRANT SUPER, PROCESS ON *.* TO '${USER}'@'%'`);
  dir = await mkdtemp(join(tmpdir(), 'dbcache-nopw-'));
  await writeFile(join(dir, 'my.cnf'), '[mysqld]\nwait_timeout = 600\n');
});
after(async () => {
  await admin.query(`DROP USER IF EXISTS '${USER}'@'%'`);
  await admin.query('SET GLOBAL wait_timeout = DEFAULT');
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

/** The six commands, each with arguments that make it run to the end against the test server. */
const COMMANDS: Array<{ name: string; args: string[]; json: boolean }> = [
  { name: 'check-timeout', args: ['check-timeout'], json: true },
  { name: 'set-timeout', args: ['set-timeout', '28800'], json: true },
  { name: 'set-timeout --dry-run', args: ['set-timeout', '600', '--dry-run'], json: true },
  { name: 'patch-config --list', args: ['patch-config', '--list'], json: true },
  {
    name: 'patch-config --dry-run',
    args: ['patch-config', '--wait-timeout', '900', '--dry-run'],
    json: true,
  },
  { name: 'generate', args: ['generate', 'mysql2'], json: true },
  {
    name: 'watch-connections',
    args: ['watch-connections', '--count', '2', '--interval', '200ms'],
    json: true,
  },
  { name: 'bench', args: ['bench', '--requests', '10', '--concurrency', '2'], json: true },
];

/** The three ways to give the password, each with the flags that reach the test server. */
function ways(): Array<{ how: string; args: string[]; env: Record<string, string> }> {
  const common = ['--no-defaults', '--ssl-mode', 'DISABLED'];
  const hostPort = ['-h', server.host, '-P', String(server.port), '-u', USER];
  return [
    { how: '--password=', args: [...common, ...hostPort, `--password=${PASSWORD}`], env: {} },
    { how: 'MYSQL_PWD', args: [...common, ...hostPort], env: { MYSQL_PWD: PASSWORD } },
    {
      how: '--url',
      args: [
        ...common,
        '--url',
        `mysql://${USER}:${encodeURIComponent(PASSWORD)}@${server.host}:${server.port}`,
      ],
      env: {},
    },
  ];
}

function assertNoPassword(output: string, what: string): void {
  for (const leak of LEAKS) assert.ok(!output.includes(leak), `${what} printed the password: ${output}`);
}

for (const command of COMMANDS) {
  test(`${command.name}: no password in its output, human or --json, however the password was given`, async () => {
    // patch-config edits this machine's files: give it a file of its own (the server reads none).
    const extra = command.name.startsWith('patch-config') ? ['--file', join(dir, 'my.cnf')] : [];
    for (const way of ways()) {
      for (const json of command.json ? [false, true] : [false]) {
        const args = [...command.args, ...extra, ...way.args, ...(json ? ['--json'] : [])];
        const result = await runCli(args, { ...way.env, HOME: dir, NO_COLOR: '1' });
        const what = `${command.name} (${way.how}${json ? ', --json' : ''})`;
        assert.ok(
          result.stdout.length > 0,
          `${what} printed something (exit ${result.code}): ${result.stderr}`,
        );
        assertNoPassword(result.stdout + result.stderr, what);
        if (json && result.code === 0) {
          const text = result.stdout.trim().split('\n');
          for (const line of text.length > 1 && command.name === 'watch-connections' ? text : [result.stdout])
            JSON.parse(line); // the --json view is JSON, so the check saw the real document
        }
      }
    }
  });
}

test('a refused login prints no password either, for every command', async () => {
  for (const command of COMMANDS) {
    const extra = command.name.startsWith('patch-config') ? ['--file', join(dir, 'my.cnf')] : [];
    const wrong = `${PASSWORD}-wrong`;
    const result = await runCli(
      [
        ...command.args,
        ...extra,
        '--no-defaults',
        '--ssl-mode',
        'DISABLED',
        '-h',
        server.host,
        '-P',
        String(server.port),
        '-u',
        USER,
        '--json',
      ],
      { MYSQL_PWD: wrong, HOME: dir },
    );
    // patch-config works on the file without the server; it reports the refusal in its output.
    if (!command.name.startsWith('patch-config'))
      assert.equal(result.code, 4, `${command.name}: ${result.stderr}`);
    assert.ok(result.stdout.length + result.stderr.length > 0);
    assertNoPassword(result.stdout + result.stderr, command.name);
    assert.ok(!(result.stdout + result.stderr).includes(wrong));
  }
});
