/**
 * check-timeout over many servers: each checked as the single-server command would, at most
 * `parallel` at a time and each within its own deadline, then one row a server and a summary.
 */
import type { ServerTarget } from '../../connection/target.ts';
import {
  type FleetEntry,
  type FleetError,
  type FleetReport,
  fleetExitCode,
  summarize,
} from '../../fleet/report.ts';
import { runBounded } from '../../fleet/run.ts';
import type { FleetTarget } from '../../fleet/targets.ts';
import type { IO } from '../../io.ts';
import { describeFailure } from '../../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import type { Format } from '../../output/format.ts';
import { printFormatted } from '../../output/print.ts';
import type { TimeoutReport } from './report.ts';

export interface FleetOptions {
  format: Format;
  expect?: number;
  parallel: number;
  /** How long one server may take, connect and statements together. */
  deadlineSeconds: number;
  signal?: AbortSignal;
}

type CheckOne = (server: ServerTarget, signal: AbortSignal) => Promise<TimeoutReport>;

export async function runFleet(
  options: FleetOptions,
  io: IO,
  servers: Array<{ target: FleetTarget; server: ServerTarget }>,
  checkOne: CheckOne,
): Promise<ExitCodeValue> {
  const outcomes = await runBounded(
    servers,
    {
      parallel: options.parallel,
      deadlineMs: options.deadlineSeconds * 1000,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    ({ server }, signal) => checkOne(server, signal),
  );
  const entries: FleetEntry[] = [];
  const notChecked: string[] = [];
  outcomes.forEach((outcome, index) => {
    const { target } = servers[index] as { target: FleetTarget };
    const entry = { target: target.name, origin: target.origin };
    if (outcome.state === 'done') entries.push({ ...entry, report: outcome.value, error: null });
    else if (outcome.state === 'failed')
      entries.push({ ...entry, report: null, error: fleetError(outcome.error) });
    else if (outcome.state === 'timed-out') {
      entries.push({
        ...entry,
        report: null,
        error: {
          kind: 'unreachable',
          exit_code: ExitCode.connection,
          message: `${servers[index]?.server.address} gave no answer within ${options.deadlineSeconds} s.`,
        },
      });
    } else notChecked.push(target.name);
  });
  const report: FleetReport = { servers: entries, summary: summarize(entries, options.expect, notChecked) };
  await printFormatted(io, report, options.format, {
    human: async () => (await import('./fleet-render.ts')).renderFleet,
    metrics: async () => (await import('./metrics.ts')).timeoutMetrics,
  });
  if (options.signal?.aborted) return ExitCode.interrupted;
  return fleetExitCode(report);
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
