import { connectFailure } from '../../connection/open.ts';
import type { ServerTarget } from '../../connection/target.ts';
import type { IO } from '../../io.ts';
import { UserError, usageError } from '../../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import type { Format } from '../../output/format.ts';
import { printFormatted } from '../../output/print.ts';
import { probeCapacity } from '../../probe/capacity.ts';
import type { ProbeDriver } from '../../probe/driver.ts';
import { runProbes } from '../../probe/engine.ts';
import { mysqlDriver } from '../../probe/mysql.ts';
import { DEFAULT_PLAN, type PlanParams } from '../../probe/plan.ts';
import { NO_PROGRESS, progressFor } from './progress.ts';
import { buildReport, type ProbeIdleReport } from './report.ts';

interface ProbeIdleOptions {
  /** The longest silence to test, seconds. */
  max: number;
  /** Probes open at once. */
  probes: number;
  format: Format;
}

/** What the caller controls besides the options (tests and the benchmark go through here). */
interface ProbeIdleRuntime {
  /** Aborting it ends the run early with what is known; the CLI wires Ctrl-C to it. */
  signal?: AbortSignal;
  /** The mysql2 driver unless given. */
  driver?: ProbeDriver;
  plan?: Partial<Omit<PlanParams, 'maxIdleMs'>>;
  pingDeadlineMs?: number;
  /** Receives the report as well. */
  onReport?: (report: ProbeIdleReport) => void;
}

/** TCP keepalive on the keepalive probe: the shortest Linux allows, far below any limit worth finding. */
const KEEPALIVE_INTERVAL_MS = 1000;

export async function runProbeIdle(
  options: ProbeIdleOptions,
  io: IO,
  target: ServerTarget,
  runtime: ProbeIdleRuntime = {},
): Promise<ExitCodeValue> {
  const { transport } = target.resolved;
  const socket = transport.kind === 'socket';
  const driver = runtime.driver ?? (await defaultDriver(target, io));
  const facts = await driver.serverFacts();
  const capacity = probeCapacity(facts, options.probes);
  if ('refused' in capacity) throw usageError(capacity.refused);

  const header = `dbcache probe-idle: ${target.address}, ${capacity.probes} probes${socket ? '' : ' and a keepalive probe'}, silences up to ${Math.min(options.max, facts.waitTimeout + Math.max(2, Math.round(facts.waitTimeout / 20)))} s (Ctrl-C stops with what is known)`;
  // Progress is for people: the JSON and OpenMetrics documents come alone.
  const progress = options.format === 'table' ? progressFor(io, header) : NO_PROGRESS;
  let run: Awaited<ReturnType<typeof runProbes>>;
  try {
    run = await runProbes(driver, {
      plan: { ...DEFAULT_PLAN, ...runtime.plan },
      maxMs: options.max * 1000,
      capacity: capacity.probes,
      pingDeadlineMs: runtime.pingDeadlineMs ?? null,
      keepaliveMs: socket ? null : KEEPALIVE_INTERVAL_MS,
      socket,
      now: io.now,
      ...(runtime.signal ? { signal: runtime.signal } : {}),
      onUpdate: (snapshot, message) => progress.update(snapshot, message),
    });
  } finally {
    progress.done();
  }
  const report = buildReport(
    run,
    facts,
    { address: target.address, user: target.user, transport: socket ? 'socket' : 'tcp' },
    capacity.probes,
  );
  runtime.onReport?.(report);
  await printFormatted(io, report, options.format, {
    human: async () => (await import('./render.ts')).renderReport,
    metrics: async () => (await import('./metrics.ts')).probeMetrics,
  });
  if (report.run.left_on_server.length > 0) {
    throw new UserError(
      `Could not end probe connection(s) ${report.run.left_on_server.join(', ')} on the server; end them with KILL CONNECTION.`,
      ExitCode.server,
    );
  }
  if (run.interrupted) return ExitCode.interrupted;
  return report.verdict === 'closed-between' || report.verdict === 'black-holed-between'
    ? ExitCode.checkFailed
    : ExitCode.ok;
}

async function defaultDriver(target: ServerTarget, io: IO): Promise<ProbeDriver> {
  // One connection settles TLS and the password; the probes reuse what worked.
  const options = await target.poolOptions();
  return mysqlDriver(
    options,
    (err) =>
      connectFailure(
        err,
        target.resolved,
        typeof options.password === 'string' ? options.password : undefined,
      ),
    io.now,
  );
}
