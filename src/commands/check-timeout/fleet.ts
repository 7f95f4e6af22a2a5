/**
 * check-timeout over many servers: each checked as the single-server command would, at most
 * `parallel` at a time and each within its own deadline, then one row a server and a summary
 * that groups them by their global wait_timeout.
 */
import type { ConnectionFlags } from '../../connection/sources.ts';
import { fleetTargets } from '../../fleet/command.ts';
import type { FleetRequest } from '../../fleet/options.ts';
import {
  checked,
  type FleetEntry,
  type FleetTally,
  fleetEntries,
  fleetExitCode,
  groupBy,
  printFleet,
  tally,
} from '../../fleet/report.ts';
import { runBounded } from '../../fleet/run.ts';
import type { IO } from '../../io.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import type { Format } from '../../output/format.ts';
import type { TargetSource } from '../spec.ts';
import { checkServer } from './index.ts';
import type { TimeoutReport } from './report.ts';

interface TimeoutFleetSummary extends FleetTally {
  /** Servers by global wait_timeout, most common first. */
  by_wait_timeout: Array<{ wait_timeout: number; count: number; targets: string[] }>;
  /** With --expect: the checked servers whose wait_timeout differs. */
  not_as_expected: string[] | null;
}

/** The `--json` document of a fleet run (docs/fleet.md). */
export interface TimeoutFleetReport {
  servers: Array<FleetEntry<TimeoutReport>>;
  summary: TimeoutFleetSummary;
}

interface FleetOptions extends FleetRequest {
  format: Format;
  expect?: number;
  parallel: number;
}

export async function runFleetCommand(
  options: FleetOptions,
  flags: ConnectionFlags,
  io: IO,
  target: TargetSource,
): Promise<ExitCodeValue> {
  const servers = await fleetTargets(options, flags, io, target);
  // The run's one interrupt model (Ctrl-C, SIGTERM).
  const { signal } = target.interrupts;
  // A server has its connect timeout to connect and one statement timeout more for the rest, so
  // a host that answers slowly but steadily cannot hold its slot for its statements' sum.
  const deadlineSeconds = Math.max(
    ...servers.map(({ server }) => server.resolved.connectTimeout + server.resolved.statementTimeout),
  );
  // Ctrl-C stops the run instead of the process: what was learned so far is still printed.
  const outcomes = await target.interrupts.handle(() =>
    runBounded(
      servers,
      { parallel: options.parallel, deadlineMs: deadlineSeconds * 1000, signal },
      ({ server }, serverSignal) => checkServer(server, io, options.expect, undefined, serverSignal),
    ),
  );
  const { entries, notChecked } = fleetEntries(
    servers.map(({ target: named }) => named),
    outcomes,
    (index) => `${servers[index]?.server.address} gave no answer within ${deadlineSeconds} s.`,
  );
  const report: TimeoutFleetReport = {
    servers: entries,
    summary: summarize(entries, options.expect, notChecked),
  };
  await printFleet(io, report, options.format, signal, {
    human: async () => (await import('./fleet-render.ts')).renderFleet,
    metrics: async () => (await import('./metrics.ts')).timeoutMetrics,
  });
  if (signal.aborted) return ExitCode.interrupted;
  return fleetExitCode(entries, Boolean(report.summary.not_as_expected?.length));
}

function summarize(
  entries: Array<FleetEntry<TimeoutReport>>,
  expect: number | undefined,
  notChecked: string[],
): TimeoutFleetSummary {
  const counts = tally(entries, notChecked);
  return {
    servers: counts.servers,
    checked: counts.checked,
    by_wait_timeout: groupBy(
      entries,
      (report) => Number(report.global.wait_timeout),
      (a, b) => a - b,
    ).map(({ key, targets }) => ({ wait_timeout: key, count: targets.length, targets })),
    unreachable: counts.unreachable,
    failed: counts.failed,
    not_as_expected:
      expect === undefined
        ? null
        : entries
            .filter((entry) => checked(entry) && entry.report.expect && !entry.report.expect.matches)
            .map((entry) => entry.target),
    not_checked: counts.not_checked,
  };
}
