import { formatDuration } from '../../duration.ts';
import type { Component, CutKind, Evidence } from '../../probe/attribution.ts';
import type { ServerFacts } from '../../probe/driver.ts';
import type { Outcome, ProbeRun } from '../../probe/engine.ts';
import { judge, type KeepaliveAdvice, type Verdict } from '../../probe/verdict.ts';

/** The `--json` document (documented in the README; a public interface). */
export interface ProbeIdleReport {
  server: {
    version: string;
    /** The probes' own session value: what a pooled connection gets. */
    wait_timeout: number;
    global_wait_timeout: number;
    max_connections: number;
    threads_connected: number;
  };
  connection: { address: string; user: string; transport: 'tcp' | 'socket' };
  verdict: Verdict;
  /** False when stopped early (Ctrl-C): the bracket is what was known by then. */
  complete: boolean;
  /** Seconds: the longest silence a probe survived, and the shortest after which one was cut. */
  bracket: { survived_seconds: number; cut_seconds: number | null };
  /** The first limit from this host; null when nothing cut a probe up to max_seconds. */
  limit: {
    lower_seconds: number;
    upper_seconds: number;
    component: Component | null;
    kind: CutKind;
    evidence: Evidence | null;
  } | null;
  keepalive: {
    interval_seconds: number;
    outcome: Outcome | 'not-tested';
    idle_seconds: number | null;
    keeps_flow: boolean | null;
  } | null;
  advice: {
    /** N for `dbcache generate <framework> --timeout N`. */
    timeout: number;
    generate: string;
    keepalive: KeepaliveAdvice;
    messages: string[];
  };
  run: {
    max_seconds: number;
    ping_deadline_seconds: number;
    probes: number;
    connections_used: number;
    elapsed_seconds: number;
    /** When the bracket was known (the rest is the keepalive probe's verdict); null if never. */
    bracket_known_seconds: number | null;
    /** Probe connections the server still held after they were cut or retired, ended with KILL. */
    ended_on_server: number[];
    /** Probe connections still listed at the end (empty unless the cleanup failed). */
    left_on_server: number[];
  };
  probes: Array<{
    probe: number;
    connection_id: number;
    idle_seconds: number;
    outcome: Outcome;
    while_idle: boolean;
    at_seconds: number;
    server_still_had_it: boolean | null;
    component: Component | null;
    error: string | null;
  }>;
}

/** The verdicts that mean something between the host and the server cuts first (exit 1). */
export const cutBetween = (report: ProbeIdleReport): boolean =>
  report.verdict === 'closed-between' || report.verdict === 'black-holed-between';

const s = (ms: number): number => Math.round(ms) / 1000;
const floorTenth = (ms: number): number => Math.floor(ms / 100) / 10;
const ceilTenth = (ms: number): number => Math.ceil(ms / 100) / 10;

export function buildReport(
  run: ProbeRun,
  facts: ServerFacts,
  connection: ProbeIdleReport['connection'],
  probes: number,
): ProbeIdleReport {
  const cut = run.cut;
  const verdict = judge({
    bracket: run.bracket,
    cut: cut
      ? {
          kind: cut.outcome === 'black-holed' ? 'black-holed' : 'closed',
          component: cut.attribution?.component ?? null,
          evidence: cut.attribution?.evidence ?? null,
        }
      : null,
    keepaliveOutcome: run.keepalive?.outcome ?? null,
    waitTimeout: run.waitTimeout || facts.waitTimeout,
    interrupted: run.interrupted,
  });
  const waitTimeout = run.waitTimeout || facts.waitTimeout;
  const limit =
    cut && run.bracket.hi !== null
      ? {
          lower_seconds: floorTenth(run.bracket.lo),
          upper_seconds: ceilTenth(run.bracket.hi),
          component: cut.attribution?.component ?? null,
          kind: (cut.outcome === 'black-holed' ? 'black-holed' : 'closed') as CutKind,
          evidence: cut.attribution?.evidence ?? null,
        }
      : null;
  const report: ProbeIdleReport = {
    server: {
      version: facts.version,
      wait_timeout: waitTimeout,
      global_wait_timeout: facts.waitTimeout,
      max_connections: facts.maxConnections,
      threads_connected: facts.threadsConnected,
    },
    connection,
    verdict: verdict.verdict,
    complete: !run.interrupted,
    bracket: {
      survived_seconds: s(run.bracket.lo),
      cut_seconds: run.bracket.hi === null ? null : s(run.bracket.hi),
    },
    limit,
    keepalive: run.keepalive
      ? {
          interval_seconds: s(run.keepalive.intervalMs),
          outcome: run.keepalive.outcome,
          idle_seconds: run.keepalive.idleMs === null ? null : s(run.keepalive.idleMs),
          keeps_flow:
            run.keepalive.outcome === 'not-tested'
              ? null
              : run.keepalive.outcome === 'alive'
                ? true
                : verdict.verdict === 'server'
                  ? null
                  : false,
        }
      : null,
    advice: {
      timeout: verdict.timeout,
      generate: `dbcache generate <framework> --timeout ${verdict.timeout}`,
      keepalive: verdict.keepalive,
      messages: [],
    },
    run: {
      max_seconds: s(run.maxIdleMs),
      ping_deadline_seconds: s(run.pingDeadlineMs),
      probes,
      connections_used: run.connectionsUsed,
      elapsed_seconds: Math.round(run.elapsedMs / 100) / 10,
      bracket_known_seconds: run.narrowedAtMs === null ? null : Math.round(run.narrowedAtMs / 100) / 10,
      ended_on_server: run.killed,
      left_on_server: run.leftBehind,
    },
    probes: run.tests.map((test) => ({
      probe: test.probe,
      connection_id: test.connectionId,
      idle_seconds: s(test.idleMs),
      outcome: test.outcome,
      while_idle: test.whileIdle,
      at_seconds: Math.round(test.atMs / 100) / 10,
      server_still_had_it: test.serverStillHadIt,
      component: test.attribution?.component ?? null,
      error: test.error,
    })),
  };
  report.advice.messages = adviceFor(report);
  return report;
}

/** The sentences of the verdict, in the order that is safe to follow. */
function adviceFor(report: ProbeIdleReport): string[] {
  const { limit, advice } = report;
  const wait = report.server.wait_timeout;
  const messages: string[] = [];
  const long = (seconds: number) => (seconds >= 60 ? `, ${formatDuration(seconds)}` : '');
  const range = limit ? `${limit.lower_seconds.toFixed(1)}–${limit.upper_seconds.toFixed(1)} s` : '';
  switch (report.verdict) {
    case 'server':
      messages.push(
        `The server's wait_timeout (${wait} s${long(wait)}) is the first limit from this host: nothing in between closed an idle connection sooner.`,
        `Derive the pool settings from it: ${advice.generate}.`,
      );
      break;
    case 'no-cut':
      messages.push(
        `Nothing closed an idle connection within ${formatDuration(Math.floor(report.run.max_seconds))} (the longest silence tested); the server's wait_timeout is ${wait} s${long(wait) ? ` (${formatDuration(wait)})` : ''}.`,
        report.run.max_seconds < wait
          ? `Something in between may still cut between ${formatDuration(Math.floor(report.run.max_seconds))} and ${formatDuration(wait)}: run again with a larger --max to know, or keep pool lifetimes below ${formatDuration(Math.floor(report.run.max_seconds))}.`
          : `Derive the pool settings from it: ${advice.generate}.`,
      );
      break;
    case 'closed-between':
    case 'black-holed-between':
      messages.push(
        report.verdict === 'closed-between'
          ? `Something between this host and the server closes connections idle for ${range}, long before the server's wait_timeout (${wait} s): the next query on such a connection fails at once ("server has gone away", "Lost connection").`
          : `Something between this host and the server silently forgets connections idle for ${range}, long before the server's wait_timeout (${wait} s): the next query on such a connection hangs until the client's read timeout or TCP gives up (about 15 min on Linux), and the server keeps the connection open meanwhile.`,
        `Pools must retire idle connections before ${advice.timeout} s: ${advice.generate} (derives lifetime and idle limits below it).`,
      );
      if (advice.keepalive === 'needed') {
        messages.push(
          `TCP keepalive kept a connection through it: enable it in the pool with an interval well below ${advice.timeout} s, so a connection that outlives the pool's limits does not hang.`,
        );
      } else if (advice.keepalive === 'helps') {
        messages.push(
          `TCP keepalive also kept a connection through it (it counts keepalive packets as activity).`,
        );
      } else if (advice.keepalive === 'does-not-help') {
        messages.push(
          'TCP keepalive did not keep a connection through it (it counts only data, as proxies do): only retiring connections before the limit helps.',
        );
      }
      break;
    case 'interrupted':
      messages.push(
        report.bracket.cut_seconds === null
          ? `Stopped before any probe was cut: idle connections survived ${report.bracket.survived_seconds} s at least.`
          : `Stopped early: the limit is between ${report.bracket.survived_seconds} and ${report.bracket.cut_seconds} s, not yet attributed.`,
      );
      break;
  }
  if (report.connection.transport === 'socket') {
    messages.push(
      'Over a Unix socket nothing sits between this host and the server: only the server was probed. Run probe-idle over TCP from the application host to measure its network path.',
    );
  }
  if (report.run.left_on_server.length > 0) {
    messages.push(
      `The server still lists probe connection(s) ${report.run.left_on_server.join(', ')}; end them with KILL CONNECTION.`,
    );
  }
  return messages;
}
