import { formatDuration } from '../../duration.ts';
import type { Severity } from '../../output/style.ts';
import { IDENTITY_VARIABLES, type ManagedService } from '../../server/identity.ts';
import {
  type AdviceContext,
  keepAcrossRestarts,
  lowerPoolsFirst,
  oncePoolsRetireBefore,
} from '../../server/timeout-advice.ts';
import type { VariableOrigin } from '../../server/variables.ts';
import { STATUS_COUNTERS, type StatusCounter, type TimeoutFacts } from './facts.ts';

interface Finding {
  severity: Severity;
  code: string;
  message: string;
  advice: string;
}

/** The `--json` document (documented in the README; a public interface). */
export interface TimeoutReport {
  server: {
    flavor: string;
    version: string;
    version_string: string;
    version_comment: string;
    managed: ManagedService | null;
  };
  connection: { address: string; user: string; connection_id: number };
  global: Record<string, number | string>;
  session: { wait_timeout: number; interactive_timeout: number };
  /** The idle limit a pooled (non-interactive) application connection gets: its session wait_timeout. */
  application_timeout: number;
  wait_timeout_origin: VariableOrigin | null;
  /**
   * What the option files set for the next start, when the server is on this machine and reads
   * them; null otherwise. `error`: the server would not start with these files.
   */
  option_files: {
    wait_timeout: { value: string | null; seconds: number | null; file: string; line: number } | null;
    files_read: string[];
    error: string | null;
  } | null;
  /** Every counter in STATUS_COUNTERS, null where the server did not report it (so a missing name shows). */
  status: Record<StatusCounter, number | null>;
  derived: {
    connections_per_second: number | null;
    thread_cache_hit_rate: number | null;
    aborted_clients_ratio: number | null;
    max_connections_used_ratio: number | null;
  };
  findings: Finding[];
  expect: { wait_timeout: number; matches: boolean } | null;
}

export const DEFAULT_WAIT_TIMEOUT = 28800;
/** Below this, pools cannot keep a connection between ordinary requests. */
const LOW_TIMEOUT = 10;

const ratio = (part: number | null | undefined, whole: number | null | undefined): number | null =>
  part == null || whole == null || !Number.isFinite(whole) || whole <= 0 ? null : round(part / whole, 4);
const round = (value: number, digits: number): number => Number(value.toFixed(digits));

export function buildReport(
  facts: TimeoutFacts,
  connection: { address: string; user: string },
  expect?: number,
): TimeoutReport {
  const global: Record<string, number | string> = {};
  for (const [name, value] of Object.entries(facts.global)) {
    // Identity variables are reported under `server`, not as timeouts.
    if (IDENTITY_VARIABLES.includes(name)) continue;
    global[name] = /^\d+$/.test(value) ? Number(value) : value;
  }
  const status = Object.fromEntries(
    STATUS_COUNTERS.map((name) => [name, facts.status[name] ?? null]),
  ) as Record<StatusCounter, number | null>;
  const derived = {
    connections_per_second:
      status.Connections !== null && status.Uptime ? round(status.Connections / status.Uptime, 3) : null,
    thread_cache_hit_rate:
      status.Connections && status.Threads_created !== null
        ? round(Math.max(0, 1 - status.Threads_created / status.Connections), 4)
        : null,
    aborted_clients_ratio: ratio(status.Aborted_clients, status.Connections),
    max_connections_used_ratio: ratio(status.Max_used_connections, Number(global.max_connections)),
  };
  const report: TimeoutReport = {
    server: {
      flavor: facts.identity.flavor,
      version: facts.identity.version,
      version_string: facts.identity.versionString,
      version_comment: facts.identity.versionComment,
      managed: facts.identity.managed,
    },
    connection: { ...connection, connection_id: facts.connectionId },
    global,
    session: facts.session,
    application_timeout: facts.session.wait_timeout,
    wait_timeout_origin: facts.origin,
    option_files: facts.optionFiles
      ? {
          wait_timeout: facts.optionFiles.waitTimeout,
          files_read: facts.optionFiles.filesRead,
          error: facts.optionFiles.error,
        }
      : null,
    status,
    derived,
    findings: [],
    expect:
      expect === undefined ? null : { wait_timeout: expect, matches: Number(global.wait_timeout) === expect },
  };
  report.findings = findingsFor(report, {
    identity: facts.identity,
    configFiles: facts.configFiles,
    local: facts.local,
  });
  return report;
}

/**
 * The live value against what the option files set for the next start. Where the files are
 * known this replaces `wait-timeout-not-persisted`, which cannot tell whether the value set at
 * run time happens to equal the files' value.
 */
function driftFindings(report: TimeoutReport, wait: number, server: AdviceContext): Finding[] {
  const files = report.option_files;
  const origin = report.wait_timeout_origin?.source ?? '';
  // A command-line or persisted value outranks every option file.
  if (files === null || ['COMMAND-LINE', 'COMMAND_LINE', 'PERSISTED'].includes(origin)) return [];
  if (files.error !== null) {
    return [
      {
        severity: 'critical',
        code: 'option-files-broken',
        message: `The server would not start with its option files: ${files.error}`,
        advice: 'Fix that line before the next restart (dbcache patch-config --list shows the files).',
      },
    ];
  }
  const set = files.wait_timeout;
  if (set !== null && set.seconds === null) {
    return [
      {
        severity: 'critical',
        code: 'wait-timeout-invalid-in-option-file',
        message: `${set.file} line ${set.line} sets wait_timeout to "${set.value ?? ''}", which the server rejects: it would not start.`,
        advice: `Correct it: dbcache patch-config --wait-timeout ${wait}.`,
      },
    ];
  }
  const next = set?.seconds ?? DEFAULT_WAIT_TIMEOUT;
  if (next === wait) return [];
  const where = set === null ? 'no option file sets it' : `${set.file} line ${set.line} sets ${next} s`;
  return [
    {
      severity: 'warning',
      code: 'wait-timeout-will-revert',
      message: `wait_timeout is ${wait} s now, but ${where}: at its next restart the server goes ${set === null ? 'back to the default' : 'to'} ${next} s (${formatDuration(next)}).`,
      advice: `Keep ${wait} s across restarts with ${keepAcrossRestarts(wait, server)}${set === null ? '' : `, or${next < wait ? `, ${oncePoolsRetireBefore(next)},` : ''} apply the file's value now with dbcache set-timeout ${next}`}.`,
    },
  ];
}

const SEVERITY_ORDER: Severity[] = ['critical', 'warning', 'info', 'ok'];

/** The advice's value when the timeout should come down to minutes. */
const SUGGESTED_TIMEOUT = 600;

/** What the numbers mean for pooled clients, worst first; advice fits `server` and is safe in order. */
function findingsFor(report: TimeoutReport, server: AdviceContext): Finding[] {
  const findings: Finding[] = [];
  const add = (severity: Severity, code: string, message: string, advice: string) =>
    findings.push({ severity, code, message, advice });
  const wait = Number(report.global.wait_timeout);
  const interactive = Number(report.global.interactive_timeout);
  const session = report.session.wait_timeout;
  const { status, derived } = report;

  if (wait < LOW_TIMEOUT) {
    add(
      'critical',
      'wait-timeout-very-low',
      `wait_timeout is ${wait} s: the server closes a pooled connection after ${wait} s without a query, so applications see "MySQL server has gone away" between ordinary requests.`,
      `Raise it to at least 60 s with dbcache set-timeout 300 and keep it across restarts with ${keepAcrossRestarts(300, server)}; then derive the pool settings with dbcache generate.`,
    );
  } else if (wait === DEFAULT_WAIT_TIMEOUT) {
    add(
      'warning',
      'wait-timeout-default',
      'wait_timeout is the default 28800 s (8 h): a client that leaks or abandons a connection holds a server thread and a max_connections slot for 8 hours.',
      lowerPoolsFirst(SUGGESTED_TIMEOUT, server),
    );
  } else if (wait > DEFAULT_WAIT_TIMEOUT) {
    add(
      'warning',
      'wait-timeout-high',
      `wait_timeout is ${wait} s (${formatDuration(wait)}), above the 8 h default: idle and abandoned connections stay open even longer.`,
      lowerPoolsFirst(SUGGESTED_TIMEOUT, server),
    );
  } else if (wait < 60) {
    add(
      'warning',
      'wait-timeout-low',
      `wait_timeout is ${wait} s: pools must retire or ping idle connections within a few seconds, which costs reconnects.`,
      'Unless idle connections are a real problem, raise it to a few minutes; either way generate the pool settings from it (dbcache generate).',
    );
  } else {
    add(
      'ok',
      'wait-timeout-ok',
      `wait_timeout is ${wait} s (${formatDuration(wait)}): idle connections are closed after that.`,
      'Pools must retire idle connections a little before it: dbcache generate <framework> writes those settings.',
    );
  }

  if (session !== wait) {
    add(
      'warning',
      'session-differs-from-global',
      `This connection's session wait_timeout is ${session} s but the global value is ${wait} s: something changes it at login (init_connect, a proxy, or the user's settings).`,
      'Application pools get the session value; check init_connect and any proxy, and derive pool settings from the session value.',
    );
  }
  if (interactive !== wait) {
    add(
      'info',
      'interactive-differs',
      `interactive_timeout is ${interactive} s, wait_timeout ${wait} s: the mysql shell is an interactive client and shows ${interactive} as its session wait_timeout, while application pools get ${wait}.`,
      'Read the global wait_timeout (or this report) rather than SELECT @@wait_timeout in the mysql shell.',
    );
  }

  const idleTx = Number(report.global.idle_transaction_timeout ?? 0);
  if (idleTx > 0 && idleTx < wait) {
    add(
      'info',
      'idle-transaction-timeout',
      `idle_transaction_timeout is ${idleTx} s: a connection left idle inside an open transaction is closed after ${idleTx} s, sooner than wait_timeout.`,
      'Make sure applications commit or roll back before returning a connection to the pool.',
    );
  }

  const perSecond = derived.connections_per_second;
  if (perSecond !== null && perSecond >= 5 && (status.Uptime ?? 0) >= 60) {
    add(
      'warning',
      'high-connection-rate',
      `The server has opened ${perSecond} connections per second on average since it started: clients connect per request rather than keeping connections.`,
      'Pool connections in the application (dbcache generate), then watch the ids stay stable with dbcache watch-connections.',
    );
  }
  const hitRate = derived.thread_cache_hit_rate;
  if (hitRate !== null && hitRate < 0.9 && (status.Connections ?? 0) >= 1000) {
    add(
      'warning',
      'thread-cache-misses',
      `Only ${(hitRate * 100).toFixed(1)} % of new connections found a cached thread (Threads_created ${status.Threads_created} of Connections ${status.Connections}): the server creates a thread for most connections.`,
      `Raise thread_cache_size (now ${report.global.thread_cache_size ?? 'unknown'}), and pool connections in the applications.`,
    );
  }
  const aborted = derived.aborted_clients_ratio;
  if (aborted !== null && (status.Aborted_clients ?? 0) > 0) {
    add(
      aborted >= 0.01 ? 'warning' : 'info',
      'aborted-clients',
      `${status.Aborted_clients} connections (${(aborted * 100).toFixed(2)} % of all) ended without a proper close (Aborted_clients): clients that exited without closing, or connections the server closed after wait_timeout while a pool still held them.`,
      'If applications log "server has gone away", their pools keep connections longer than wait_timeout: dbcache generate.',
    );
  }
  const failedLogins = ratio(status.Aborted_connects, status.Connections);
  if (failedLogins !== null && failedLogins >= 0.05 && (status.Aborted_connects ?? 0) >= 10) {
    add(
      'warning',
      'aborted-connects',
      `${status.Aborted_connects} connection attempts failed (Aborted_connects, ${(failedLogins * 100).toFixed(1)} % of Connections): wrong passwords, missing privileges or connect timeouts.`,
      'Check the server error log for the clients involved.',
    );
  }
  const used = derived.max_connections_used_ratio;
  if (used !== null && used >= 0.85) {
    add(
      used >= 1 ? 'critical' : 'warning',
      'max-connections-near',
      `Max_used_connections reached ${status.Max_used_connections} of max_connections ${report.global.max_connections}: at the limit, new clients get "Too many connections".`,
      'Size pools so that (pool size x application processes) stays below max_connections, and let idle connections close.',
    );
  }

  if (report.option_files) {
    findings.push(...driftFindings(report, wait, server));
  } else if (report.wait_timeout_origin && ['SQL', 'DYNAMIC'].includes(report.wait_timeout_origin.source)) {
    add(
      'warning',
      'wait-timeout-not-persisted',
      `wait_timeout was set at run time (${report.wait_timeout_origin.source}): the server goes back to its option files' value at the next restart.`,
      `Keep it across restarts with ${keepAcrossRestarts(wait, server)}.`,
    );
  }

  if (report.expect && !report.expect.matches) {
    add(
      'critical',
      'expectation-failed',
      `The global wait_timeout is ${wait} s, not the expected ${report.expect.wait_timeout} s.`,
      report.expect.wait_timeout < wait
        ? lowerPoolsFirst(report.expect.wait_timeout, server, `Lower it to ${report.expect.wait_timeout} s`)
        : `Set it with dbcache set-timeout ${report.expect.wait_timeout} and keep it across restarts with ${keepAcrossRestarts(report.expect.wait_timeout, server)}.`,
    );
  }
  return findings.sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
}
