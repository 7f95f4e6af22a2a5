/**
 * readTimeoutValue() against the server: every value is written to a file and read back with
 * `mariadbd --verbose --help`, which prints the validated value (or fails to start).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MAX_TIMEOUT_WINDOWS } from '../../src/duration.ts';
import { readTimeoutValue } from '../../src/patch/server-value.ts';
import { mariadbdWaitTimeout } from './oracle.ts';

const dir = mkdtempSync(join(tmpdir(), 'dbcache-value-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function serverReads(value: string): string | null {
  writeFileSync(join(dir, 'my.cnf'), `[mysqld]\nwait_timeout = ${value}\n`);
  try {
    return mariadbdWaitTimeout(dir, 'my.cnf');
  } catch {
    return null;
  }
}

const VALUES = [
  '120',
  '+7',
  '007',
  '2k',
  '2K',
  '2m',
  '1g',
  '1e',
  '0',
  '',
  '99999999999',
  '31536000',
  '12.5',
  '0x10',
  'abc',
  '1 0',
  '600 ; x',
  '-5',
];

for (const value of VALUES) {
  test(`"${value}" reads as the server reads it`, () => {
    const server = serverReads(value);
    const ours = readTimeoutValue(value);
    if (server === null) assert.equal(ours.ok, false, `the server refuses "${value}"`);
    else assert.deepEqual(ours.ok && ours.seconds, Number(server));
  });
}

test('a clamped value says so; a bare name has no value; the Windows ceiling is lower', () => {
  const clamped = readTimeoutValue('0');
  assert.ok(clamped.ok && clamped.adjusted?.includes('raises'));
  assert.deepEqual(readTimeoutValue('600'), { ok: true, seconds: 600, adjusted: null });
  const bare = readTimeoutValue(null);
  assert.ok(!bare.ok && /requires an argument/.test(bare.reason));
  const windows = readTimeoutValue('31536000', MAX_TIMEOUT_WINDOWS);
  assert.ok(windows.ok && windows.seconds === MAX_TIMEOUT_WINDOWS);
});
