/**
 * MYSQL_UNIX_PORT names the socket, as in the mysql client (README, "Connecting"): used when no
 * flag names the server, and outranked by -S.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { TimeoutReport } from '../../src/commands/check-timeout/report.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { runCli } from '../helpers/target.ts';

let server: TestServer;
let socket: string;
before(async () => {
  server = await sharedServer();
  assert.ok(server.socket, 'the test server has a socket (an external MYSQL_TEST_URL server needs ?socket=)');
  socket = server.socket;
});

const check = (args: string[], env: Record<string, string>) =>
  runCli(['check-timeout', '--no-defaults', '-u', server.user, '--json', ...args], env);

test('MYSQL_UNIX_PORT alone: dbcache connects through that socket', async () => {
  const result = await check([], { MYSQL_UNIX_PORT: socket });
  assert.equal(result.code, ExitCode.ok, result.stderr);
  assert.equal((JSON.parse(result.stdout) as TimeoutReport).connection.address, `socket ${socket}`);
});

test('a MYSQL_UNIX_PORT that does not exist is the one tried (exit 3, naming it), not a default socket', async () => {
  const missing = `${socket}.missing`;
  const result = await check([], { MYSQL_UNIX_PORT: missing });
  assert.equal(result.code, ExitCode.connection, result.stderr);
  assert.ok(result.stderr.includes(missing), result.stderr);
});

test('-S outranks MYSQL_UNIX_PORT', async () => {
  const result = await check(['-S', socket], { MYSQL_UNIX_PORT: `${socket}.missing` });
  assert.equal(result.code, ExitCode.ok, result.stderr);
  assert.equal((JSON.parse(result.stdout) as TimeoutReport).connection.address, `socket ${socket}`);
});
