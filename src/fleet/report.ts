/**
 * What every fleet run has in common, whatever it asks each server: one entry per server (the
 * single-server report, or why there is none), the summary's failure lists, the exit code, and
 * the words a summary line uses for them. check-timeout and probe-idle add their own grouping.
 */
import { describeStop } from '../interrupt.ts';
import type { IO } from '../io.ts';
import { describeFailure } from '../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../output/exit-codes.ts';
import type { Format } from '../output/format.ts';
import { printFormatted } from '../output/print.ts';
import type { Outcome } from './run.ts';
import type { FleetTarget } from './targets.ts';

export interface FleetError {
  /** A sentence or two, as the single-server command would print it, without "dbcache: ". */
  message: string;
  /** The exit code the single-server command would have ended with. */
  exit_code: number;
  /** `unreachable`: no connection (or no answer in time); `refused`: the server said no; `failed`: anything else. */
  kind: 'unreachable' | 'refused' | 'failed';
}

export interface FleetEntry<R> {
  target: string;
  origin: string;
  /**
   * The single-server report; null when the server could not be checked. Beside an error when
   * the server stopped answering mid-run and the work still gave what it knew (probe-idle).
   */
  report: R | null;
  error: FleetError | null;
}

/** An entry with a report and no error: the server was checked. */
export const checked = <R>(entry: FleetEntry<R>): entry is FleetEntry<R> & { report: R; error: null } =>
  entry.report !== null && entry.error === null;

/** The summary fields every fleet command has. */
export interface FleetTally {
  servers: number;
  checked: number;
  unreachable: string[];
  failed: string[];
  /** Ctrl-C ended the run before these were checked. */
  not_checked: string[];
}

/** The entries of a run, in the targets' order: a report, an error, or not checked (Ctrl-C). */
export function fleetEntries<R>(
  targets: readonly FleetTarget[],
  outcomes: readonly Outcome<R>[],
  timedOut: (index: number) => string,
): { entries: FleetEntry<R>[]; notChecked: string[] } {
  const entries: FleetEntry<R>[] = [];
  const notChecked: string[] = [];
  outcomes.forEach((outcome, index) => {
    const target = targets[index] as FleetTarget;
    const entry = { target: target.name, origin: target.origin };
    if (outcome.state === 'done' || (outcome.state === 'interrupted' && outcome.value !== undefined)) {
      entries.push({ ...entry, report: outcome.value as R, error: null });
    } else if (outcome.state === 'failed') {
      entries.push({ ...entry, report: null, error: fleetError(outcome.error) });
    } else if (outcome.state === 'timed-out') {
      const error = {
        kind: 'unreachable',
        exit_code: ExitCode.connection,
        message: timedOut(index),
      } as const;
      entries.push({ ...entry, report: outcome.value ?? null, error });
    } else notChecked.push(target.name);
  });
  return { entries, notChecked };
}

function fleetError(err: unknown): FleetError {
  const { text, exitCode } = describeFailure(err, false);
  const kind: FleetError['kind'] =
    exitCode === ExitCode.connection
      ? 'unreachable'
      : exitCode === ExitCode.authentication || exitCode === ExitCode.privilege
        ? 'refused'
        : 'failed';
  return { kind, exit_code: exitCode, message: text.replace(/^dbcache: /, '') };
}

export function tally<R>(entries: readonly FleetEntry<R>[], notChecked: string[]): FleetTally {
  const errored = (unreachable: boolean) =>
    entries
      .filter((entry) => entry.error && (entry.error.kind === 'unreachable') === unreachable)
      .map((entry) => entry.target);
  return {
    servers: entries.length + notChecked.length,
    checked: entries.filter(checked).length,
    unreachable: errored(true),
    failed: errored(false),
    not_checked: notChecked,
  };
}

/** Servers grouped by a value of their report, the most common group first. */
export function groupBy<R, K extends string | number>(
  entries: readonly FleetEntry<R>[],
  key: (report: R) => K,
  order: (a: K, b: K) => number,
): Array<{ key: K; targets: string[] }> {
  const groups = new Map<K, string[]>();
  for (const entry of entries) {
    if (!checked(entry)) continue;
    const value = key(entry.report);
    groups.set(value, [...(groups.get(value) ?? []), entry.target]);
  }
  return [...groups]
    .map(([value, targets]) => ({ key: value, targets }))
    .sort((a, b) => b.targets.length - a.targets.length || order(a.key, b.key));
}

/**
 * The run's exit code, in this order: 3 when any server could not be reached; else the code of
 * the first other failure (4 login refused, 5 missing privilege, ...); else 1 when the command's
 * own check failed for any server (`checkFailed`); else 0. Ctrl-C (130) is decided by the caller.
 */
export function fleetExitCode<R>(entries: readonly FleetEntry<R>[], checkFailed: boolean): ExitCodeValue {
  if (entries.some((entry) => entry.error?.kind === 'unreachable')) return ExitCode.connection;
  const failure = entries.find((entry) => entry.error);
  if (failure?.error) return failure.error.exit_code as ExitCodeValue;
  return checkFailed ? ExitCode.checkFailed : ExitCode.ok;
}

/** "db-7, db-9" or "db-1, …, db-5 and 12 more": a summary names at most five servers. */
export function names(list: readonly string[]): string {
  return list.length <= 5 ? list.join(', ') : `${list.slice(0, 5).join(', ')} and ${list.length - 5} more`;
}

/**
 * The summary line's closing parts, each server named: unreachable, failed, the command's own
 * `checkParts` ("2 not as expected: …"), and not checked.
 */
export function tallyParts(summary: FleetTally, ...checkParts: string[]): string[] {
  const parts: string[] = [];
  if (summary.unreachable.length)
    parts.push(`${summary.unreachable.length} unreachable: ${names(summary.unreachable)}`);
  if (summary.failed.length) parts.push(`${summary.failed.length} failed: ${names(summary.failed)}`);
  parts.push(...checkParts);
  if (summary.not_checked.length)
    parts.push(`${summary.not_checked.length} not checked (stopped): ${names(summary.not_checked)}`);
  return parts;
}

/**
 * A fleet's report in the format asked for. OpenMetrics are for a file another program reads, so a
 * run stopped part-way prints none (a file ending in `# EOF` would look complete, and the servers
 * not checked would vanish from it) and says so; otherwise the errors behind the `up 0` gauges go
 * to standard error, as a table would show them.
 */
export async function printFleet<R, D extends { servers: readonly FleetEntry<R>[] }>(
  io: IO,
  report: D,
  format: Format,
  signal: AbortSignal,
  views: Parameters<typeof printFormatted<D>>[3],
): Promise<void> {
  if (format === 'openmetrics') {
    if (signal.aborted) {
      io.stderr.write(
        `dbcache: ${describeStop(signal)} before every server was checked: no metrics were written (they would look complete without them).\n`,
      );
      return;
    }
    for (const entry of report.servers) {
      if (entry.error) io.stderr.write(`dbcache: ${entry.target}: ${entry.error.message}\n`);
    }
  }
  await printFormatted(io, report, format, views);
}
