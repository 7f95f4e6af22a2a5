/**
 * Which option names set wait_timeout: the plain name in any spelling, and the forms my_getopt
 * also takes (unique prefixes, skip-/disable-/enable-). Each alias is checked with mariadbd.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { normalizeOptionName } from '../../src/optionfile/index.ts';
import { formOf } from '../../src/patch/occurrences.ts';
import { mariadbdWaitTimeout } from './oracle.ts';

const dir = mkdtempSync(join(tmpdir(), 'dbcache-alias-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const form = (rawName: string) => formOf(normalizeOptionName(rawName).name, 'wait_timeout');

test('the plain name in any spelling is exact; other options are not wait_timeout', () => {
  for (const name of [
    'wait_timeout',
    'wait-timeout',
    'WAIT_TIMEOUT',
    'Loose-Wait-Timeout',
    'loose_wait_timeout',
  ]) {
    assert.equal(form(name), 'exact', name);
  }
  for (const name of [
    'interactive_timeout',
    'wait_timeoutx',
    'maximum-wait-timeout',
    'net_wait_timeout',
    'mysqlx_wait_timeout',
  ]) {
    assert.equal(form(name), null, name);
  }
});

for (const [line, value] of [
  ['wait_tim = 125', '125'],
  ['wait = 5', '5'],
  ['wait- = 6', '6'],
  ['skip-wait-timeout', '1'],
  ['disable_wait_timeout', '1'],
  ['enable-wait-timeout', '1'],
  ['loose-wait_tim = 7', '7'],
] as const) {
  test(`"${line}" is an alias: mariadbd takes it for wait_timeout (${value})`, () => {
    writeFileSync(join(dir, 'my.cnf'), `[mysqld]\nwait_timeout = 100\n${line}\n`);
    assert.equal(mariadbdWaitTimeout(dir, 'my.cnf'), value);
    assert.equal(form(line.split('=')[0]?.trim() ?? ''), 'alias');
  });
}

test('maximum-wait_timeout leaves the value alone, as mariadbd does', () => {
  writeFileSync(join(dir, 'my.cnf'), '[mysqld]\nwait_timeout = 100\nmaximum-wait_timeout = 50\n');
  assert.equal(mariadbdWaitTimeout(dir, 'my.cnf'), '100');
  assert.equal(form('maximum-wait_timeout'), null);
});
