import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkServerRange, parseTimeoutRequest } from '../../src/commands/set-timeout/request.ts';
import { identifyServer } from '../../src/server/identity.ts';
import { quoteAccount } from '../../src/server/privileges.ts';

test('durations as people type them become whole seconds', () => {
  const accepted: Array<[string, number]> = [
    ['120', 120],
    ['120s', 120],
    ['2m', 120],
    [' 2M ', 120],
    ['1h', 3600],
    ['1d', 86400],
    ['10', 10],
    ['31536000', 31536000],
    ['365d', 31536000],
  ];
  for (const [text, seconds] of accepted) assert.equal(parseTimeoutRequest(text, false), seconds, text);
  assert.equal(parseTimeoutRequest('1', true), 1, '--force allows the server minimum');
  assert.ok(
    parseTimeoutRequest('0', true) instanceof Error,
    '--force does not allow what the server cannot take',
  );
});

test('the Windows ceiling applies only to servers built for Windows', () => {
  const linux = identifyServer({ version: '8.0.36', version_compile_os: 'Linux' });
  const windows = identifyServer({ version: '8.0.36', version_compile_os: 'Win64' });
  assert.equal(checkServerRange(31536000, linux), null);
  assert.equal(checkServerRange(2147483, windows), null);
  assert.match(checkServerRange(2147484, windows)?.message ?? '', /up to 2147483 s/);
});

test('CURRENT_USER() is quoted for a GRANT, with the host after the last @', () => {
  assert.equal(quoteAccount('app@10.0.%'), "'app'@'10.0.%'");
  assert.equal(quoteAccount('ops@corp@%'), "'ops@corp'@'%'");
  // Doubled, not backslash-escaped: the same under NO_BACKSLASH_ESCAPES.
  assert.equal(quoteAccount("o'brien@localhost"), "'o''brien'@'localhost'");
  // A backslash reads differently by sql_mode inside '...', never inside `...`.
  assert.equal(quoteAccount('dom\\ops@%'), "`dom\\ops`@'%'");
  assert.equal(quoteAccount('a`b\\c@h'), "`a``b\\c`@'h'");
});
