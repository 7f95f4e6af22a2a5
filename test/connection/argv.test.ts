import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeArgv, passwordOnCommandLine } from '../../src/connection/argv.ts';

test('glued mysql-style short options become long options', () => {
  assert.deepEqual(normalizeArgv(['check-timeout', '-uapp', '-hdb1', '-P3307', '-S/tmp/x.sock', '-Dshop']), [
    'check-timeout',
    '--user=app',
    '--host=db1',
    '--port=3307',
    '--socket=/tmp/x.sock',
    '--database=shop',
  ]);
});

test('-p alone asks for the password, and the next word is not taken as the password', () => {
  assert.deepEqual(normalizeArgv(['check-timeout', '-p', '--json']), [
    'check-timeout',
    '--password-prompt',
    '--json',
  ]);
  assert.deepEqual(normalizeArgv(['--password', 'check-timeout']), ['--password-prompt', 'check-timeout']);
});

test('-pSECRET and --password=SECRET carry the password, and are flagged as visible', () => {
  assert.deepEqual(normalizeArgv(['-ps3cret']), ['--password=s3cret']);
  assert.equal(passwordOnCommandLine(['check-timeout', '-ps3cret']), true);
  assert.equal(passwordOnCommandLine(['check-timeout', '--password=x']), true);
  assert.equal(passwordOnCommandLine(['check-timeout', '-p']), false);
  assert.equal(passwordOnCommandLine(['check-timeout', '--', '-pliteral']), false);
});

test('separate values, -? and everything after -- are left alone', () => {
  assert.deepEqual(normalizeArgv(['-h', 'db1', '-?', '--', '-uraw']), ['-h', 'db1', '--help', '--', '-uraw']);
});
