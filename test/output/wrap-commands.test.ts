/**
 * Every command's sentences fit the terminal: at 80 and 120 columns no line of prose is wider
 * and no word is cut (the words are those of the unwrapped output, in order). Tables keep
 * their own layout and are left out of the comparison.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../../src/cli.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { cliFlags } from '../helpers/target.ts';

let server: TestServer;
let work: string;
before(async () => {
  server = await sharedServer();
  work = mkdtempSync(join(tmpdir(), 'dbcache-wrap-'));
  writeFileSync(join(work, 'my.cnf'), '[mysqld]\nwait_timeout = 900\n[mariadb]\nwait_timeout = 600\n');
});
after(() => rmSync(work, { recursive: true, force: true }));

const isTable = (line: string) => /[│┌└├─]/.test(line);
/** The words of the prose, with numbers (ids, counters, timings) made alike between runs. */
const proseWords = (text: string) =>
  text
    .split('\n')
    .filter((line) => !isTable(line))
    .join(' ')
    .replace(/\d[\d.,]*/g, '#')
    .split(/\s+/)
    .filter(Boolean);

async function run(argv: string[], columns: string) {
  const { io, captured } = memoryIO({ COLUMNS: columns, MYSQL_PWD: server.password });
  const code = await main(argv, io);
  return { code, ...captured };
}

const COMMANDS: Array<[string, () => string[]]> = [
  ['check-timeout', () => ['check-timeout', ...cliFlags(server)]],
  ['set-timeout --dry-run', () => ['set-timeout', '600', '--dry-run', ...cliFlags(server)]],
  ['bench', () => ['bench', '-n', '30', '-c', '2', ...cliFlags(server)]],
  [
    'patch-config --list',
    () => [
      'patch-config',
      '--list',
      '--file',
      join(work, 'my.cnf'),
      '--flavor',
      'mariadb',
      '--server-version',
      '10.11',
      '--offline',
    ],
  ],
  [
    'patch-config --dry-run',
    () => [
      'patch-config',
      '--wait-timeout',
      '300',
      '--dry-run',
      '--file',
      join(work, 'my.cnf'),
      '--flavor',
      'mariadb',
      '--server-version',
      '10.11',
      '--offline',
    ],
  ],
];

for (const [name, argv] of COMMANDS) {
  test(`${name}: at 80 and 120 columns no sentence runs over and no word is cut`, async () => {
    const unwrapped = await run(argv(), '1000');
    assert.equal(unwrapped.code, 0, unwrapped.stderr);
    assert.ok(
      unwrapped.stdout.split('\n').some((line) => !isTable(line) && line.length > 80),
      'the test needs a sentence longer than 80 columns',
    );
    for (const width of [80, 120]) {
      const wrapped = await run(argv(), String(width));
      assert.equal(wrapped.code, 0, wrapped.stderr);
      for (const line of wrapped.stdout.split('\n')) {
        if (
          isTable(line) ||
          /^\s*\S+$/.test(line) ||
          (/^[-+@ ]/.test(line) && line.includes('wait_timeout ='))
        )
          continue;
        assert.ok(line.length <= width, `a line of ${line.length} columns at ${width}:\n${line}`);
      }
      assert.deepEqual(proseWords(wrapped.stdout), proseWords(unwrapped.stdout));
    }
  });
}
