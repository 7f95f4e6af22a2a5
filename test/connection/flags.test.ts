import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../../src/cli.ts';
import { COMMAND_LINE, resolveConnection } from '../../src/connection/resolve.ts';
import { flagsLayer, optionFileLayer } from '../../src/connection/sources.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { memoryIO } from '../helpers/io.ts';

/**
 * Runs the CLI in-process with an environment that points nowhere: a flag refused as a usage
 * error never gets as far as connecting, so no server is needed (and one that was reached would
 * show as another exit code).
 */
async function cli(args: string[]) {
  const { io, captured } = memoryIO({ MYSQL_HOST: '203.0.113.1' });
  const code = await main(args, io);
  return { code, ...captured };
}

const EMPTY_FLAGS: Array<{ args: string[]; named: RegExp }> = [
  { args: ['-h'], named: /-h\b/ },
  { args: ['-h', ''], named: /-h\b/ },
  { args: ['--host='], named: /--host\b/ },
  { args: ['--host', ''], named: /--host\b/ },
  { args: ['-S'], named: /-S\b/ },
  { args: ['--socket='], named: /--socket\b/ },
  { args: ['-u'], named: /-u\b/ },
  { args: ['--user', ''], named: /--user\b/ },
  { args: ['-D'], named: /-D\b/ },
  { args: ['--database='], named: /--database\b/ },
  { args: ['--url'], named: /--url\b/ },
  { args: ['--url='], named: /--url\b/ },
  { args: ['--protocol'], named: /--protocol\b/ },
  { args: ['--connect-timeout='], named: /--connect-timeout\b/ },
  { args: ['--statement-timeout='], named: /--statement-timeout\b/ },
  { args: ['--ssl-mode'], named: /--ssl-mode\b/ },
  { args: ['--ssl-ca='], named: /--ssl-ca\b/ },
  { args: ['--ssl-cert'], named: /--ssl-cert\b/ },
  { args: ['--ssl-key='], named: /--ssl-key\b/ },
  { args: ['--defaults-file='], named: /--defaults-file\b/ },
  { args: ['--defaults-extra-file'], named: /--defaults-extra-file\b/ },
];

test('an empty connection flag is a usage error before connecting, naming the flag as typed', async () => {
  for (const { args, named } of EMPTY_FLAGS) {
    for (const command of [['check-timeout'], ['set-timeout', '600', '--dry-run']]) {
      const result = await cli([...command, ...args]);
      const what = [...command, ...args].join(' ');
      assert.equal(result.code, ExitCode.usage, `${what}: ${result.stderr}`);
      assert.match(result.stderr, named, what);
      assert.match(result.stderr, /no value/, what);
      assert.equal(result.stdout, '', what);
    }
  }
});

test('-P with no value keeps its refusal', async () => {
  const result = await cli(['check-timeout', '-P']);
  assert.equal(result.code, ExitCode.usage);
  assert.match(result.stderr, /-P was given no value/);
});

test('--password with a separate word names --password, suggests --password=, and never shows the word', async () => {
  const result = await cli(['check-timeout', '--password', 'hunter2-secret']);
  assert.equal(result.code, ExitCode.usage);
  assert.match(result.stderr, /--password takes no separate value/);
  assert.match(result.stderr, /--password=PASSWORD/);
  assert.match(result.stderr, /--password alone/, 'says why a separate word is not taken');
  assert.doesNotMatch(result.stderr, /-p takes/);
  assert.doesNotMatch(result.stderr + result.stdout, /hunter2/);

  const short = await cli(['check-timeout', '-p', 'hunter2-secret']);
  assert.equal(short.code, ExitCode.usage);
  assert.match(short.stderr, /-p takes no separate value: type -pPASSWORD/);
  assert.doesNotMatch(short.stderr + short.stdout, /hunter2/);
});

test('a socket given with -h is said to come from -h, not from an option-file line', () => {
  const context = { loginUser: 'me', socketExists: () => false, platform: 'linux' as const };
  const fromFile = optionFileLayer([
    { name: 'socket', value: '/run/other.sock', file: '/etc/my.cnf', line: 2 },
  ]);
  const resolved = resolveConnection(
    [flagsLayer({ host: '/nonexistent/sock' }, COMMAND_LINE), fromFile],
    context,
  );
  assert.deepEqual(resolved.transport, { kind: 'socket', path: '/nonexistent/sock' });
  assert.match(resolved.sources.socket ?? '', /-h/);
  assert.doesNotMatch(resolved.sources.socket ?? '', /option file/);

  const alone = resolveConnection([flagsLayer({ host: '/nonexistent/sock' }, COMMAND_LINE)], context);
  assert.match(alone.sources.socket ?? '', /-h/, 'with --no-defaults the flag is named too');
});

test('the CLI names -h as the source of a missing socket, with and without option files', async () => {
  for (const extra of [[], ['--no-defaults']]) {
    const { io, captured } = memoryIO({});
    const code = await main(['check-timeout', ...extra, '-h', '/nonexistent/dbcache.sock'], io);
    assert.equal(code, ExitCode.connection, captured.stderr);
    assert.match(captured.stderr, /socket \/nonexistent\/dbcache\.sock \(socket from -h/, captured.stderr);
  }
});
