import { connectFailure } from '../../connection/open.ts';
import type { ServerTarget } from '../../connection/target.ts';
import type { Interrupts } from '../../interrupt.ts';
import type { IO } from '../../io.ts';
import { UserError, usageError } from '../../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { printReport } from '../../output/print.ts';
import { connectionsHeld, probeCapacity, type SharedServers } from '../../probe/capacity.ts';
import type { ProbeDriver } from '../../probe/driver.ts';
import { runProbes } from '../../probe/engine.ts';
import { mysqlDriver } from '../../probe/mysql.ts';
import { DEFAULT_PLAN, type PlanParams } from '../../probe/plan.ts';
import { NO_PROGRESS, type ProgressView, progressFor } from './progress.ts';
import { buildReport, cutBetween, type ProbeIdleReport } from './report.ts';

interface ProbeIdleOptions {
  /** The longest silence to test, seconds. */
  max: number;
  /** Probes open at once. */
  probes: number;
  /** The JSON document instead of the progress and the human view (OpenMetrics goes through fleet.ts). */
  json: boolean;
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
  // Progress is for people: the JSON and OpenMetrics documents come alone.
  const report = await probeServer(options, io, target, {
    ...runtime,
    progress: (header) => (options.json ? NO_PROGRESS : progressFor(io, header)),
  });
  runtime.onReport?.(report);
  await printReport(io, report, options.json, async () => (await import('./render.ts')).renderReport);
  if (report.run.left_on_server.length > 0) throw leftOnServer(report);
  if (!report.complete) return ExitCode.interrupted;
  return cutBetween(report) ? ExitCode.checkFailed : ExitCode.ok;
}

/**
 * The one interrupt model around a probe run: Ctrl-C (or SIGTERM) ends the run with what is
 * known, every probe closed and ended on the server (exit 130); a second Ctrl-C does not wait
 * for that.
 */
export async function whileProbing<T>(io: IO, interrupts: Interrupts, work: () => Promise<T>): Promise<T> {
  const stopping = () =>
    io.stderr.write('dbcache: stopping: closing the probes and ending them on the server.\n');
  interrupts.signal.addEventListener('abort', stopping, { once: true });
  const stopListening = interrupts.onUrgent(() => {
    if (io.stdout.isTTY) io.stdout.write('\u001b[?25h\n');
    process.exit(ExitCode.interrupted);
  });
  try {
    return await interrupts.handle(work);
  } finally {
    stopListening();
    interrupts.signal.removeEventListener('abort', stopping);
  }
}

/** The failure when the cleanup could not end every probe on the server. */
export function leftOnServer(report: ProbeIdleReport): UserError {
  return new UserError(
    `Could not end probe connection(s) ${report.run.left_on_server.join(', ')} on the server; end them with KILL CONNECTION.`,
    ExitCode.server,
  );
}

/**
 * One server probed: its facts, the probes, the report. The same for one server and for each
 * server of a fleet; the caller prints.
 */
export async function probeServer(
  options: Omit<ProbeIdleOptions, 'json'>,
  io: IO,
  target: ServerTarget,
  runtime: Omit<ProbeIdleRuntime, 'onReport'> & {
    progress?: (header: string) => ProgressView;
    /** In a fleet: what the probes of the other targets hold, by server, and this target's name. */
    shared?: { servers: SharedServers; target: string };
  } = {},
): Promise<ProbeIdleReport> {
  const { transport } = target.resolved;
  const socket = transport.kind === 'socket';
  const driver = runtime.driver ?? (await defaultDriver(target, io, runtime.signal));
  const facts = await driver.serverFacts();
  // A server that does not name itself is taken for a server of its own.
  const shared = facts.identity ? runtime.shared : undefined;
  const capacity = probeCapacity(facts, options.probes, shared?.servers.elsewhere(facts.identity));
  if ('refused' in capacity) throw usageError(capacity.refused);
  // No await since the look at what others hold: the two are one step for the fleet.
  const release = shared?.servers.hold(facts.identity, shared.target, connectionsHeld(capacity.probes));

  const header = `dbcache probe-idle: ${target.address}, ${capacity.probes} probes${socket ? '' : ' and a keepalive probe'}, silences up to ${Math.min(options.max, facts.waitTimeout + Math.max(2, Math.round(facts.waitTimeout / 20)))} s (Ctrl-C stops with what is known)`;
  const progress = runtime.progress?.(header) ?? NO_PROGRESS;
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
    release?.();
  }
  return buildReport(
    run,
    facts,
    { address: target.address, user: target.user, transport: socket ? 'socket' : 'tcp' },
    capacity.probes,
  );
}

async function defaultDriver(target: ServerTarget, io: IO, signal?: AbortSignal): Promise<ProbeDriver> {
  // One connection settles TLS and the password; the probes reuse what worked.
  const options = await target.poolOptions(signal);
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
