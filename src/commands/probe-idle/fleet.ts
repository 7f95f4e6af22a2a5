/**
 * probe-idle over many servers (and its OpenMetrics for one): each server probed as the
 * single-server command would, at most `parallel` at a time, then one row a server and a
 * summary that groups them by what cuts idle connections first.
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
import { SharedServers } from '../../probe/capacity.ts';
import type { Verdict } from '../../probe/verdict.ts';
import type { TargetSource } from '../spec.ts';
import { leftOnServer, probeServer, whileProbing } from './index.ts';
import { clock, progressFor } from './progress.ts';
import { cutBetween, type ProbeIdleReport } from './report.ts';

interface ProbeFleetSummary extends FleetTally {
  /** Servers by verdict, most common first. */
  by_verdict: Array<{ verdict: Verdict; count: number; targets: string[] }>;
  /** The servers where a proxy, load balancer, NAT or firewall cuts before the server (exit 1). */
  cut_between: string[];
  /**
   * The lowest `advice.timeout` of the servers probed to the end, and where it was measured:
   * the `--timeout` for a pool that reaches all of them. Null when none was probed to the end.
   */
  lowest_timeout: { timeout: number; targets: string[] } | null;
}

/** The `--json` document of a fleet run (docs/probe-idle.md). */
export interface ProbeFleetReport {
  servers: Array<FleetEntry<ProbeIdleReport>>;
  summary: ProbeFleetSummary;
}

interface ProbeFleetOptions extends FleetRequest {
  max: number;
  probes: number;
  format: Format;
  parallel: number;
}

export async function runProbeFleet(
  options: ProbeFleetOptions,
  flags: ConnectionFlags,
  io: IO,
  target: TargetSource,
): Promise<ExitCodeValue> {
  const servers = await fleetTargets(options, flags, io, target);
  const { interrupts } = target;
  const { signal } = interrupts;
  // A server has its connect timeout, the longest silence with the margins the engine adds (the
  // ladder's last rung, the keepalive probe's wait, its ping deadline), and a statement timeout
  // for each of the facts and the cleanup; a server that stops answering mid-run is cut there.
  const deadlineSeconds = Math.max(
    ...servers.map(
      ({ server }) =>
        server.resolved.connectTimeout +
        2 * server.resolved.statementTimeout +
        Math.ceil(options.max * 1.25) +
        10,
    ),
  );
  // Stopped probes end their connections on the server and return the bracket known so far:
  // the cleanup opens up to three short control connections, each a connect and a statement.
  const graceMs =
    Math.max(
      ...servers.map(({ server }) => 3 * (server.resolved.connectTimeout + server.resolved.statementTimeout)),
    ) * 1000;
  const progress = fleetProgress(io, options, servers.length);
  // Targets that reach one server share its connections (see probeCapacity).
  const shared = new SharedServers();
  // One server named by --targets or --url: its own progress view, as a single run shows it.
  const own =
    options.format === 'table' && servers.length === 1
      ? { progress: (header: string) => progressFor(io, header) }
      : {};
  const outcomes = await whileProbing(io, interrupts, () =>
    runBounded(
      servers,
      { parallel: options.parallel, deadlineMs: deadlineSeconds * 1000, graceMs, signal },
      async ({ target: named, server }, serverSignal) => {
        progress.line(`${named.name}: probing`);
        const gaveUp = () => serverSignal.aborted && !signal.aborted;
        try {
          const report = await probeServer(options, io, server, {
            signal: serverSignal,
            shared: { servers: shared, target: named.name },
            ...own,
          });
          progress.line(`${named.name}: ${gaveUp() ? timedOutWords : outcomeWords(report)}`, true);
          return report;
        } catch (err) {
          if (!signal.aborted)
            progress.line(`${named.name}: ${gaveUp() ? timedOutWords : 'could not be probed (below)'}`, true);
          throw err;
        }
      },
    ),
  );
  progress.end();
  const { entries, notChecked } = fleetEntries(
    servers.map(({ target: named }) => named),
    outcomes,
    (index) =>
      `${servers[index]?.server.address} stopped answering; the probe gave up after ${deadlineSeconds} s.`,
  );
  const report: ProbeFleetReport = { servers: entries, summary: summarize(entries, notChecked) };
  await printFleet(io, report, options.format, signal, {
    human: async () => (await import('./fleet-render.ts')).renderProbeFleet,
    metrics: async () => (await import('./metrics.ts')).probeFleetMetrics,
  });
  const left = entries.filter((entry) => entry.report?.run.left_on_server.length);
  for (const entry of left) {
    io.stderr.write(`dbcache: ${entry.target}: ${leftOnServer(entry.report as ProbeIdleReport).message}\n`);
  }
  if (left.length > 0) return ExitCode.server;
  if (signal.aborted) return ExitCode.interrupted;
  return fleetExitCode(entries, report.summary.cut_between.length > 0);
}

const timedOutWords = 'stopped answering; given up (below)';

/** A few words on one server's result, for the progress lines. */
function outcomeWords(report: ProbeIdleReport): string {
  const range = report.limit ? `${report.limit.lower_seconds}–${report.limit.upper_seconds} s` : '';
  switch (report.verdict) {
    case 'server':
      return `the server's wait_timeout cuts first, after ${range}`;
    case 'closed-between':
      return `something in between closes idle connections after ${range}`;
    case 'black-holed-between':
      return `something in between black-holes idle connections after ${range}`;
    case 'no-cut':
      return `nothing cut an idle connection within ${report.run.max_seconds} s`;
    case 'interrupted':
      return `stopped; idle connections survived ${report.bracket.survived_seconds} s`;
  }
}

/**
 * Plain lines while a fleet is probed (table output only: JSON and OpenMetrics come alone): a
 * header, then a line as each server starts and ends, with the time since the start.
 */
function fleetProgress(
  io: IO,
  options: ProbeFleetOptions,
  count: number,
): { line(message: string, finished?: boolean): void; end(): void } {
  if (options.format !== 'table' || count === 1) return { line: () => undefined, end: () => undefined };
  const started = io.now();
  let done = 0;
  io.stdout.write(
    `dbcache probe-idle: ${count} servers, ${Math.min(options.parallel, count)} at a time, silences up to ${options.max} s each (Ctrl-C stops with what is known)\n`,
  );
  return {
    line(message, finished = false) {
      if (finished) done += 1;
      io.stdout.write(
        `[${clock(io.now() - started)}] ${message}${finished ? ` (${done} of ${count} done)` : ''}\n`,
      );
    },
    end: () => io.stdout.write('\n'),
  };
}

/** Equal groups in this order: what should happen first, then what needs a look. */
const VERDICT_ORDER: readonly Verdict[] = [
  'server',
  'no-cut',
  'closed-between',
  'black-holed-between',
  'interrupted',
];

function summarize(entries: Array<FleetEntry<ProbeIdleReport>>, notChecked: string[]): ProbeFleetSummary {
  const probed = entries.filter(checked).filter((entry) => entry.report.complete);
  const lowest = Math.min(...probed.map((entry) => entry.report.advice.timeout));
  return {
    ...tally(entries, notChecked),
    by_verdict: groupBy(
      entries,
      (report) => report.verdict,
      (a, b) => VERDICT_ORDER.indexOf(a) - VERDICT_ORDER.indexOf(b),
    ).map(({ key, targets }) => ({ verdict: key, count: targets.length, targets })),
    cut_between: entries
      .filter((entry) => checked(entry) && cutBetween(entry.report))
      .map((entry) => entry.target),
    lowest_timeout:
      probed.length === 0
        ? null
        : {
            timeout: lowest,
            targets: probed
              .filter((entry) => entry.report.advice.timeout === lowest)
              .map((entry) => entry.target),
          },
  };
}
