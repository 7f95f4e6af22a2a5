import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checked, fleetEntries, fleetExitCode, groupBy, tally } from '../../src/fleet/report.ts';
import type { FleetTarget } from '../../src/fleet/targets.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';

const target = (name: string): FleetTarget => ({
  name,
  origin: `fleet.txt (${name})`,
  layer: { source: '', settings: {} },
});

test('a server that stopped answering but gave what it knew: its report is kept beside the error, and it counts as unreachable, not checked', () => {
  const { entries, notChecked } = fleetEntries(
    ['db-1', 'db-2', 'db-3', 'db-4'].map(target),
    [
      { state: 'done', value: { verdict: 'server' } },
      { state: 'timed-out', value: { verdict: 'interrupted' } },
      { state: 'timed-out' },
      { state: 'not-run' },
    ],
    (index) => `server ${index + 1} gave no answer in time.`,
  );
  assert.deepEqual(
    entries.map((entry) => [entry.target, entry.report, entry.error?.kind ?? null]),
    [
      ['db-1', { verdict: 'server' }, null],
      ['db-2', { verdict: 'interrupted' }, 'unreachable'],
      ['db-3', null, 'unreachable'],
    ],
  );
  assert.equal(entries[1]?.error?.message, 'server 2 gave no answer in time.');
  assert.deepEqual(notChecked, ['db-4']);
  assert.deepEqual(
    entries.filter(checked).map((entry) => entry.target),
    ['db-1'],
  );
  assert.deepEqual(tally(entries, notChecked), {
    servers: 4,
    checked: 1,
    unreachable: ['db-2', 'db-3'],
    failed: [],
    not_checked: ['db-4'],
  });
  // Groups hold checked servers only: db-2's partial report is not a verdict.
  assert.deepEqual(
    groupBy(
      entries,
      (report) => report.verdict,
      (a, b) => a.localeCompare(b),
    ),
    [{ key: 'server', targets: ['db-1'] }],
  );
  assert.equal(fleetExitCode(entries, false), ExitCode.connection);
});
