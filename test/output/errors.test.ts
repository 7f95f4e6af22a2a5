import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFailure, isConnectionLost, UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';

/** Errors shaped as mysql2 raises them. */
const lost = Object.assign(new Error('Connection lost: The server closed the connection.'), {
  code: 'PROTOCOL_CONNECTION_LOST',
  fatal: true,
});
const serverError = Object.assign(new Error("Unknown system variable 'x'"), {
  code: 'ER_UNKNOWN_SYSTEM_VARIABLE',
  errno: 1193,
  sqlState: 'HY000',
  sqlMessage: "Unknown system variable 'x'",
});

test('a connection lost mid-command is a connection failure, not a bug', () => {
  const failure = describeFailure(lost, false);
  assert.equal(failure.exitCode, ExitCode.connection);
  assert.match(failure.text, /connection to the server was lost/);
  assert.doesNotMatch(failure.text, /bug|\.\./);
  assert.equal(
    isConnectionLost(Object.assign(new Error('killed'), { errno: 1927, sqlState: '70100' })),
    true,
  );
  assert.equal(isConnectionLost(serverError), false);
});

test('server errors exit 7 with the server message; user errors keep their code; others are bugs', () => {
  assert.deepEqual(describeFailure(serverError, false), {
    text: "dbcache: the server returned error 1193 (ER_UNKNOWN_SYSTEM_VARIABLE): Unknown system variable 'x'",
    exitCode: ExitCode.server,
  });
  assert.equal(describeFailure(new UserError('No.', ExitCode.file), false).exitCode, ExitCode.file);
  const bug = describeFailure(new TypeError('x is undefined.'), false);
  assert.equal(bug.exitCode, ExitCode.internal);
  assert.match(bug.text, /x is undefined\. This is a bug/);
  assert.doesNotMatch(bug.text, /\n\s+at /, 'no stack without DBCACHE_DEBUG');
  assert.match(describeFailure(new TypeError('x'), true).text, /\n\s+at /, 'the stack with DBCACHE_DEBUG');
});
