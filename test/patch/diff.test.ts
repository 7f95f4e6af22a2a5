/**
 * The --dry-run diff is a real unified diff: GNU patch applies it to the old file and gets the
 * new one byte for byte (CRLF, no final newline, non-UTF-8 bytes), and it reads like diff -u.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { unifiedDiff } from '../../src/patch/diff.ts';

const dir = mkdtempSync(join(tmpdir(), 'dbcache-diff-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function applies(before: string, afterText: string): void {
  const diff = unifiedDiff(before, afterText, 'file', 'file');
  writeFileSync(join(dir, 'file'), before, 'latin1');
  writeFileSync(join(dir, 'change.diff'), diff, 'latin1');
  const run = spawnSync('patch', ['-s', '-p0', '-i', 'change.diff'], { cwd: dir });
  assert.equal(run.status, 0, `patch failed: ${run.stdout}${run.stderr}\n${diff}`);
  assert.equal(readFileSync(join(dir, 'file'), 'latin1'), afterText);
}

const lines = (count: number, eol = '\n') =>
  Array.from({ length: count }, (_, i) => `line ${i + 1}${eol}`).join('');

test('no change, no diff', () => {
  assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'x'), '');
});

test('same hunks as diff -u for an insert, a change and two far-apart edits', () => {
  const base = lines(30);
  const cases = [
    base.replace('line 10\n', 'line 10\nnew line\n'),
    base.replace('line 3\n', 'line three\n'),
    base.replace('line 2\n', 'changed 2\n').replace('line 28\n', 'line 28\nadded\n'),
  ];
  for (const changed of cases) {
    writeFileSync(join(dir, 'old'), base);
    writeFileSync(join(dir, 'new'), changed);
    const gnu = spawnSync('diff', ['-u', 'old', 'new'], { cwd: dir }).stdout.toString();
    const ours = unifiedDiff(base, changed, 'old', 'new');
    assert.equal(ours.split('\n').slice(2).join('\n'), gnu.split('\n').slice(2).join('\n'));
    applies(base, changed);
  }
});

test('CRLF lines, a last line without newline, an empty file and latin1 bytes survive patch', () => {
  applies(lines(8, '\r\n'), lines(8, '\r\n').replace('line 4\r\n', 'line 4\r\nwait_timeout = 120\r\n'));
  applies('[mysqld]\nwait_timeout = 42', '[mysqld]\nwait_timeout = 120');
  applies('[mysqld]\nmax_connections = 5', '[mysqld]\nmax_connections = 5\nwait_timeout = 120');
  applies('', '[mysqld]\nwait_timeout = 120\n');
  applies('# K\xe4se\n[mysqld]\n', '# K\xe4se\n[mysqld]\nwait_timeout = 120\n');
  assert.match(
    unifiedDiff('a', 'b', 'x', 'x'),
    /-a\n\\ No newline at end of file\n\+b\n\\ No newline at end of file\n/,
  );
});

test('random edits of a real file always apply', () => {
  const base = readFileSync(
    join(import.meta.dirname, 'corpus/debian-mariadb/mariadb.conf.d/50-server.cnf'),
    'latin1',
  );
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 25; round++) {
    const edited = base.split('\n');
    for (let edit = 0; edit <= random(6); edit++) {
      const at = random(edited.length);
      if (random(2) === 0) edited.splice(at, 1);
      else edited.splice(at, 0, `inserted ${round}.${edit}`);
    }
    applies(base, edited.join('\n'));
  }
});
