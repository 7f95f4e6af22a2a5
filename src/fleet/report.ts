/**
 * A fleet run's model: one entry per server (the single-server report, or why there is none)
 * and a summary that groups servers by their global wait_timeout. Human, JSON and OpenMetrics
 * views are built from it.
 */
import type { TimeoutReport } from '../commands/check-timeout/report.ts';
import { ExitCode, type ExitCodeValue } from '../output/exit-codes.ts';

export interface FleetError {
  /** A sentence or two, as the single-server command would print it, without "dbcache: ". */
  message: string;
  /** The exit code the single-server command would have ended with. */
  exit_code: number;
  /** `unreachable`: no connection (or no answer in time); `refused`: the server said no; `failed`: anything else. */
  kind: 'unreachable' | 'refused' | 'failed';
}

export interface FleetEntry {
  target: string;
  origin: string;
  report: TimeoutReport | null;
  error: FleetError | null;
}

interface FleetSummary {
  servers: number;
  checked: number;
  /** Servers by global wait_timeout, most common first. */
  by_wait_timeout: Array<{ wait_timeout: number; count: number; targets: string[] }>;
  unreachable: string[];
  failed: string[];
  /** With --expect: the checked servers whose wait_timeout differs. */
  not_as_expected: string[] | null;
  /** Ctrl-C ended the run before these were checked. */
  not_checked: string[];
}

export interface FleetReport {
  servers: FleetEntry[];
  summary: FleetSummary;
}

export function summarize(
  entries: FleetEntry[],
  expect: number | undefined,
  notChecked: string[],
): FleetSummary {
  const groups = new Map<number, string[]>();
  for (const entry of entries) {
    if (!entry.report) continue;
    const value = Number(entry.report.global.wait_timeout);
    groups.set(value, [...(groups.get(value) ?? []), entry.target]);
  }
  const by_wait_timeout = [...groups]
    .map(([wait_timeout, targets]) => ({ wait_timeout, count: targets.length, targets }))
    .sort((a, b) => b.count - a.count || a.wait_timeout - b.wait_timeout);
  const errored = (kind: FleetError['kind'] | 'other') =>
    entries
      .filter(
        (entry) =>
          entry.error && (kind === 'other' ? entry.error.kind !== 'unreachable' : entry.error.kind === kind),
      )
      .map((entry) => entry.target);
  return {
    servers: entries.length + notChecked.length,
    checked: entries.filter((entry) => entry.report).length,
    by_wait_timeout,
    unreachable: errored('unreachable'),
    failed: errored('other'),
    not_as_expected:
      expect === undefined
        ? null
        : entries
            .filter((entry) => entry.report?.expect && !entry.report.expect.matches)
            .map((entry) => entry.target),
    not_checked: notChecked,
  };
}

/**
 * The run's exit code, in this order: 3 when any server could not be reached; else the code of
 * the first other failure (4 login refused, 5 missing privilege, ...); else 1 when any server
 * differs from --expect; else 0. Ctrl-C (130) is decided by the caller.
 */
export function fleetExitCode(report: FleetReport): ExitCodeValue {
  if (report.summary.unreachable.length > 0) return ExitCode.connection;
  const failure = report.servers.find((entry) => entry.error);
  if (failure?.error) return failure.error.exit_code as ExitCodeValue;
  if (report.summary.not_as_expected?.length) return ExitCode.checkFailed;
  return ExitCode.ok;
}
