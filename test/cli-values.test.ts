/**
 * Values as people type them, the same for every command: compound durations wherever a
 * duration is taken, one reader for counts, and a suggestion for a mistyped flag or target.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../src/cli.ts';
import { parseTimeoutRequest } from '../src/commands/set-timeout/request.ts';
import { watchOptions } from '../src/commands/watch-connections/command.ts';
import { parseDuration, parseInterval } from '../src/duration.ts';
import { ExitCode } from '../src/output/exit-codes.ts';
import { memoryIO } from './helpers/io.ts';
import { sharedServer, type TestServer } from './helpers/server.ts';
import { cliFlags } from './helpers/target.ts';

let server: TestServer;
let work: string;
before(async () => {
  server = await sharedServer();
  work = mkdtempSync(join(tmpdir(), 'dbcache-values-'));
  writeFileSync(join(work, 'my.cnf'), '[mysqld]\nwait_timeout = 900\n');
});
after(() => rmSync(work, { recursive: true, force: true }));

async function run(argv: string[]) {
  const { io, captured } = memoryIO({ MYSQL_PWD: server.password, NO_COLOR: '1' });
  const code = await main(argv, io);
  return { code, ...captured };
}

test('compound durations: 2h30m, 1m30s, 1h 30m; the units from the largest down, each once', () => {
  assert.equal(parseDuration('2h30m'), 9000);
  assert.equal(parseDuration('1m30s'), 90);
  assert.equal(parseDuration('1h 30m'), 5400);
  assert.equal(parseDuration('1d2h3m4s'), 93784);
  assert.equal(parseDuration(' 1H30M '), 5400);
  assert.equal(parseInterval('1m30s'), 90_000);
  assert.equal(parseInterval('1s500ms'), 1500);
  assert.equal(parseTimeoutRequest('2h30m', false), 9000);
  for (const [text, message] of [
    ['1h30', /"1h30" could be read more than one way: give every number its unit \(1h30m or 1h30s\)/],
    ['30m1h', /"30m1h" is not a length of time: give each unit once, from the largest down/],
    ['1m1m', /give each unit once/],
    ['2h30x', /"2h30x" is not a duration/],
    ['2h-30m', /is not a duration/],
    ['0x10', /is not a duration/],
  ] as const) {
    const parsed = parseDuration(text);
    assert.ok(parsed instanceof Error, text);
    assert.match(parsed.message, message);
  }
});

test('every flag that takes a duration takes a compound one', async () => {
  const generate = await run(['generate', 'django', '--timeout', '2h30m']);
  assert.equal(generate.code, ExitCode.ok, generate.stderr);
  assert.match(generate.stdout, /9000/);
  const patch = await run([
    'patch-config',
    '--wait-timeout',
    '1h 30m',
    '--interactive-timeout',
    '2h30m',
    '--dry-run',
    '--file',
    join(work, 'my.cnf'),
    '--flavor',
    'mariadb',
    '--server-version',
    '10.11',
    '--offline',
  ]);
  assert.equal(patch.code, ExitCode.ok, patch.stderr);
  assert.match(patch.stdout, /\+wait_timeout = 5400/);
  assert.match(patch.stdout, /interactive_timeout = 9000/);
  const set = await run(['set-timeout', '2h30m', '--dry-run', '--json', ...cliFlags(server)]);
  assert.equal(set.code, ExitCode.ok, set.stderr);
  assert.equal(JSON.parse(set.stdout).requested.seconds, 9000);
  const expect = await run(['check-timeout', '--expect', '7h 59m 60s', '--json', ...cliFlags(server)]);
  assert.notEqual(expect.code, ExitCode.usage, expect.stderr);
  assert.equal(JSON.parse(expect.stdout).expect.wait_timeout, 28800);
  const watch = watchOptions({ interval: '1m30s', duration: '1h 30m' });
  assert.equal(watch.intervalMs, 90_000);
  assert.equal(watch.durationMs, 5_400_000);
  const ambiguous = await run(['generate', 'django', '--timeout', '1h30']);
  assert.equal(ambiguous.code, ExitCode.usage);
  assert.match(ambiguous.stderr, /--timeout: "1h30" could be read more than one way/);
});

test('every count refuses 0x10, 0b11, 0o7, 1e1: -n, -c, --pool-size and watch-connections --count alike', async () => {
  for (const text of ['0x10', '0b11', '0o7', '1e1', '2.5', '']) {
    for (const [argv, flag] of [
      [['bench', '-n', text], '--requests'],
      [['bench', '-c', text], '--concurrency'],
      [['generate', 'django', '--timeout', '600', '--pool-size', text], '--pool-size'],
      [['watch-connections', '--count', text], '--count'],
    ] as const) {
      const result = await run([...argv, ...cliFlags(server)]);
      assert.equal(result.code, ExitCode.usage, `${argv.join(' ')}: ${result.stderr}`);
      assert.match(
        result.stderr,
        new RegExp(`${flag} takes a whole number.*"${text.replace('.', '\\.')}" is not one`),
      );
    }
    assert.throws(() => watchOptions({ count: text }), /--count takes a whole number of ticks, 1 or more/);
  }
  assert.equal(watchOptions({ count: '16' }).count, 16);
});

test('a mistyped flag gets the nearest flag of that command, with exit 2', async () => {
  const json = await run(['check-timeout', '--jsn']);
  assert.equal(json.code, ExitCode.usage);
  assert.match(json.stderr, /Unknown argument: jsn\. Did you mean --json\? Run dbcache --help/);
  const interval = await run(['watch-connections', '--intervall', '2s']);
  assert.equal(interval.code, ExitCode.usage);
  assert.match(interval.stderr, /Did you mean --interval\?/);
  const connection = await run(['check-timeout', '--ssl-mod', 'REQUIRED']);
  assert.match(connection.stderr, /Did you mean --ssl-mode\?/);
  const far = await run(['check-timeout', '--frobnicate']);
  assert.equal(far.code, ExitCode.usage);
  assert.doesNotMatch(far.stderr, /Did you mean/);
});

test('a mistyped generate target gets the nearest; an unknown framework gets the list, with exit 2', async () => {
  const typo = await run(['generate', 'djano', '--timeout', '600']);
  assert.equal(typo.code, ExitCode.usage);
  assert.match(
    typo.stderr,
    /There is no target "djano": choose one of django, .*Did you mean django \(dbcache generate django\)\?/,
  );
  const flask = await run(['generate', 'flask', '--timeout', '600']);
  assert.equal(flask.code, ExitCode.usage);
  assert.match(
    flask.stderr,
    /There is no target "flask": choose one of django, django-pool, sqlalchemy, mysql2, /,
  );
  assert.doesNotMatch(flask.stderr, /Did you mean/);
});

test('an error on a terminal is wrapped to its width; in a pipe or log it stays one line', async () => {
  const { io, captured } = memoryIO({ COLUMNS: '' });
  io.stderr = { isTTY: true, columns: 60, write: (text) => (captured.stderr += String(text)) };
  assert.equal(await main(['generate', 'djano', '--timeout', '600'], io), ExitCode.usage);
  const lines = captured.stderr.trimEnd().split('\n');
  assert.ok(lines.length > 2, captured.stderr);
  for (const line of lines) assert.ok(line.length <= 60, line);
  const piped = await run(['generate', 'djano', '--timeout', '600']);
  assert.equal(piped.stderr.trimEnd().split('\n').length, 1);
});
