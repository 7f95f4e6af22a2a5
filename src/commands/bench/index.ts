import type { Connection, ConnectionOptions } from 'mysql2/promise';
import type { OpenConnections } from '../../bench/open-connections.ts';
import { perRequest } from '../../bench/per-request.ts';
import { openPool } from '../../bench/pooled.ts';
import { type BenchReport, type RunReport, runReport, speedupOf } from '../../bench/report.ts';
import { type Request, RequestFailure, threadIdSource } from '../../bench/requests.ts';
import { planRefusals, rateRefusal, SAFE_LIMITS, type SafeLimits } from '../../bench/safety.ts';
import { type Measurement, runRequests } from '../../bench/workers.ts';
import { type StatementBounds, StatementTimeout } from '../../connection/deadline.ts';
import { connectFailure } from '../../connection/open.ts';
import type { ServerTarget } from '../../connection/target.ts';
import { MAX_TIMEOUT_WINDOWS } from '../../duration.ts';
import type { IO } from '../../io.ts';
import { UserError, usageError } from '../../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { printReport } from '../../output/print.ts';
import { IDENTITY_VARIABLES, identifyServer } from '../../server/identity.ts';
import { readStatus, readVariables } from '../../server/variables.ts';
import { progressBar } from './progress.ts';

export interface BenchOptions {
  requests: number;
  concurrency: number;
  query: string;
  json: boolean;
  /** Run beyond SAFE_LIMITS. */
  yes: boolean;
  /** Ctrl-C: stop between requests, close everything, print what was measured. */
  signal?: AbortSignal;
  /** Where the run registers the connections it has open, so a second Ctrl-C can drop them. */
  open?: OpenConnections;
  limits?: SafeLimits;
  /** The deadline of each request's query (--statement-timeout); runBench sets it from the target. */
  bounds?: StatementBounds;
}

/** Requests sent, and not measured, before each run: warms the JIT, the server's thread cache, the pool. */
export const warmUpRequests = (concurrency: number): number => Math.max(4 * concurrency, 20);

export async function runBench(given: BenchOptions, io: IO, target: ServerTarget): Promise<ExitCodeValue> {
  // Requests are stopped between them by the first Ctrl-C and dropped by the second; a query
  // the server does not answer ends at the statement deadline.
  const options: BenchOptions = {
    ...given,
    bounds: given.bounds ?? { address: target.address, timeoutSeconds: target.resolved.statementTimeout },
  };
  const limits = options.limits ?? SAFE_LIMITS;
  const { signal } = options;
  // The monitor reads the counters after an interrupted run too: once the runs start, only a
  // second Ctrl-C (which drops everything) or the statement deadline ends its statements.
  const monitorSignal = target.interrupts.holdable();
  const monitor = await target.connect(monitorSignal.signal).catch((err: unknown) => {
    monitorSignal.release();
    throw err;
  });
  options.open?.add(monitor);
  let report: BenchReport;
  // Whether trying TLS would work: over TCP, to a server that offers it (have_ssl YES).
  let tlsWouldWork = false;
  try {
    // The monitor idles through each run: a run longer than the server's wait_timeout would
    // have it closed under the final counter read. The longest value every server accepts (no
    // privilege needed); should a proxy refuse it, a run shorter than wait_timeout still works.
    await monitor.query(`SET SESSION wait_timeout = ${MAX_TIMEOUT_WINDOWS}`).catch(() => undefined);
    const global = await readVariables(monitor, 'GLOBAL', [
      ...IDENTITY_VARIABLES,
      'max_connections',
      'have_ssl',
    ]);
    const identity = identifyServer(global);
    if (!options.yes) {
      const status = await readStatus(monitor, ['Threads_connected']);
      const reasons = planRefusals(
        {
          requests: options.requests,
          concurrency: options.concurrency,
          maxConnections: Number(global.max_connections),
          threadsConnected: status.Threads_connected ?? 0,
        },
        limits,
      );
      if (reasons.length > 0) throw refusal(reasons);
    }
    const connectionOptions = benchConnectionOptions(await target.poolOptions(signal));
    tlsWouldWork = target.resolved.transport.kind === 'tcp' && global.have_ssl === 'YES';
    report = {
      server: {
        address: target.address,
        user: target.user,
        flavor: identity.flavor,
        version: identity.version,
        tls: connectionOptions.ssl !== undefined,
      },
      query: options.query,
      thread_id_source: threadIdSource(options.query),
      concurrency: options.concurrency,
      interrupted: false,
      per_request: null,
      pooled: null,
      speedup: null,
    };
    const runs = report;
    try {
      await monitorSignal.hold(async () => {
        runs.per_request = await perRequestRun(options, io, monitor, connectionOptions, limits);
        if (runs.per_request && !signal?.aborted) {
          runs.pooled = await pooledRun(options, io, monitor, connectionOptions);
        }
      });
    } catch (err) {
      throw explain(err, target, connectionOptions);
    }
  } finally {
    monitorSignal.release();
    options.open?.delete(monitor);
    await monitor.end().catch(() => monitor.destroy());
  }
  report.interrupted = Boolean(signal?.aborted);
  report.speedup = report.interrupted ? null : speedupOf(report.per_request, report.pooled);
  await printReport(io, report, options.json, async () => {
    const { renderBench } = await import('./render.ts');
    return (bench, color, width) => renderBench(bench, color, width, { suggestTls: tlsWouldWork });
  });
  return report.interrupted ? ExitCode.interrupted : ExitCode.ok;
}

/**
 * mysql2 gives every connection a prepared-statement cache of 16000 entries, allocated up front
 * (about 1 ms of client CPU a connect); the bench prepares nothing, and measures the server's
 * cost of connecting rather than that allocation.
 */
function benchConnectionOptions(options: ConnectionOptions): ConnectionOptions {
  return { ...options, maxPreparedStatements: 1 };
}

async function perRequestRun(
  options: BenchOptions,
  io: IO,
  monitor: Connection,
  connectionOptions: ConnectionOptions,
  limits: SafeLimits,
): Promise<RunReport | null> {
  const request = perRequest(connectionOptions, options.query, options.open, options.bounds);
  const warmUp = await runRequests(request, {
    requests: warmUpRequests(options.concurrency),
    concurrency: options.concurrency,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (warmUp.interrupted) return null;
  const rate = warmUp.completed / (warmUp.elapsedMs / 1000);
  const tooFast = options.yes ? null : rateRefusal(rate, options.concurrency, limits);
  if (tooFast) throw refusal([tooFast]);
  return measure(request, options, io, monitor, 'per request');
}

async function pooledRun(
  options: BenchOptions,
  io: IO,
  monitor: Connection,
  connectionOptions: ConnectionOptions,
): Promise<RunReport | null> {
  const before = await connectionsCounter(monitor);
  const pool = await openPool(
    connectionOptions,
    options.concurrency,
    options.query,
    options.open,
    options.bounds,
  );
  try {
    const warmUp = await runRequests(pool.request, {
      requests: warmUpRequests(options.concurrency),
      concurrency: options.concurrency,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (warmUp.interrupted) return null;
    // Counted from before the pool opened: its connections are the ones the run used.
    return await measure(pool.request, options, io, monitor, 'pooled', before);
  } finally {
    await pool.close();
  }
}

async function measure(
  request: Request,
  options: BenchOptions,
  io: IO,
  monitor: Connection,
  label: string,
  countedFrom?: number,
): Promise<RunReport> {
  const before = countedFrom ?? (await connectionsCounter(monitor));
  const progress = progressBar(io, label.padEnd(11), options.requests);
  let measurement: Measurement;
  try {
    measurement = await runRequests(request, {
      requests: options.requests,
      concurrency: options.concurrency,
      onProgress: progress.update,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    progress.done();
  }
  const after = await connectionsCounter(monitor);
  return runReport(measurement, after - before);
}

async function connectionsCounter(monitor: Connection): Promise<number> {
  return (await readStatus(monitor, ['Connections'])).Connections ?? 0;
}

function refusal(reasons: string[]): UserError {
  return usageError(
    `${reasons.join(' ')} Nothing was measured. Run again with --yes if this server can take it, or ask for less.`,
  );
}

function explain(err: unknown, target: ServerTarget, connectionOptions: ConnectionOptions): unknown {
  if (!(err instanceof RequestFailure)) return err;
  if (err.cause instanceof StatementTimeout) return err.cause;
  if (err.stage === 'connect') {
    const password = typeof connectionOptions.password === 'string' ? connectionOptions.password : undefined;
    return connectFailure(err.cause, target.resolved, password);
  }
  const cause = err.cause as { sqlMessage?: string; message?: string };
  return new UserError(
    `The server at ${target.address} rejected the bench query: ${cause.sqlMessage ?? cause.message}. Check --query; it runs once a request.`,
    ExitCode.server,
    { cause: err.cause },
  );
}
