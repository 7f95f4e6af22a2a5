import assert from 'node:assert/strict';
import { test } from 'node:test';
import { watchOptions } from '../../src/commands/watch-connections/command.ts';
import { parseInterval } from '../../src/commands/watch-connections/interval.ts';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';

test('intervals: seconds by default, ms/s/m/h, fractions', () => {
  assert.equal(parseInterval('2'), 2000);
  assert.equal(parseInterval('0.5'), 500);
  assert.equal(parseInterval('250ms'), 250);
  assert.equal(parseInterval('1.5s'), 1500);
  assert.equal(parseInterval('5m'), 300_000);
  assert.equal(parseInterval(' 1H '), 3_600_000);
  assert.match((parseInterval('soon') as Error).message, /"soon" is not a length of time/);
  assert.ok(parseInterval('-1') instanceof Error);
});

test('flags become options; repeated filters widen', () => {
  assert.deepEqual(watchOptions({ interval: '2s' }), {
    intervalMs: 2000,
    filters: { user: [], db: [], host: [] },
    json: false,
  });
  assert.deepEqual(
    watchOptions({
      interval: '500ms',
      count: 10,
      duration: '1m',
      filterUser: ['app', 'web'],
      filterDb: 'shop',
      json: true,
    }),
    {
      intervalMs: 500,
      count: 10,
      durationMs: 60_000,
      filters: { user: ['app', 'web'], db: ['shop'], host: [] },
      json: true,
    },
  );
});

test('bad values are usage errors that say what to give', () => {
  const usage = (args: Record<string, unknown>, message: RegExp) =>
    assert.throws(
      () => watchOptions({ interval: '2s', ...args }),
      (err: unknown) =>
        err instanceof UserError && err.exitCode === ExitCode.usage && message.test(err.message),
    );
  usage({ interval: '10ms' }, /--interval must be between 100ms and 1h/);
  usage({ interval: '2h' }, /--interval must be between 100ms and 1h/);
  usage({ count: 0 }, /--count takes a whole number of ticks, 1 or more/);
  usage({ count: 2.5 }, /--count takes a whole number/);
  usage({ duration: 'forever' }, /--duration: "forever" is not a length of time/);
  usage({ duration: '0' }, /--duration must be longer than 0/);
});
