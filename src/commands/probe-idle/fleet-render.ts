import type { ChalkInstance } from 'chalk';
import { names, tallyParts } from '../../fleet/report.ts';
import { wrapProse } from '../../output/prose.ts';
import { plainTable } from '../../output/table.ts';
import type { KeepaliveAdvice, Verdict } from '../../probe/verdict.ts';
import type { ProbeFleetReport } from './fleet.ts';
import { cutBetween, type ProbeIdleReport } from './report.ts';

const CUT_BY: Record<Verdict, string> = {
  server: 'the server',
  'no-cut': 'nothing',
  'closed-between': 'between: closes',
  'black-holed-between': 'between: black-holes',
  interrupted: 'not known (stopped)',
};

/** The summary's words for a group of servers. */
const GROUP: Record<Verdict, string> = {
  server: 'cut first by the server',
  'no-cut': 'not cut within --max',
  'closed-between': 'closed first by something in between',
  'black-holed-between': 'black-holed first by something in between',
  interrupted: 'stopped before the answer',
};

const KEEPALIVE: Record<KeepaliveAdvice, string> = {
  needed: 'needed',
  helps: 'helps',
  'does-not-help': 'does not help',
  'not-applicable': '-',
  unknown: 'not known',
};

function firstCut(report: ProbeIdleReport): string {
  if (report.limit) return `${report.limit.lower_seconds}–${report.limit.upper_seconds} s`;
  if (report.verdict === 'no-cut') return `none up to ${report.run.max_seconds} s`;
  return `over ${report.bracket.survived_seconds} s`;
}

/** The human view of a probe-idle fleet run: a row a server, the failures, a summary, the advice. */
export function renderProbeFleet(report: ProbeFleetReport, color: ChalkInstance, width: number): string {
  const table = plainTable([
    'server',
    'version',
    'wait_timeout',
    'first cut',
    'cut by',
    'keepalive',
    '--timeout',
  ]);
  for (const entry of report.servers) {
    const { report: probed, error } = entry;
    if (!probed || error) {
      table.push([entry.target, { colSpan: 6, content: color.red(error?.kind ?? 'failed') }]);
      continue;
    }
    table.push([
      entry.target,
      probed.server.version,
      `${probed.server.wait_timeout} s`,
      firstCut(probed),
      cutBetween(probed) ? color.red(CUT_BY[probed.verdict]) : CUT_BY[probed.verdict],
      KEEPALIVE[probed.advice.keepalive],
      String(probed.advice.timeout),
    ]);
  }
  const errors = report.servers.flatMap((entry) =>
    entry.error ? [wrapProse(`${entry.target}: ${entry.error.message}`, width)] : [],
  );
  const lines = [table.toString(), ...errors, wrapProse(summaryLine(report), width)];
  const { lowest_timeout: lowest } = report.summary;
  if (lowest && report.summary.checked > 1) {
    lines.push(
      wrapProse(
        `A pool that reaches all of them: dbcache generate <framework> --timeout ${lowest.timeout} (set by ${names(lowest.targets)}).`,
        width,
        `${color.dim('→')} `,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** "3 servers: 2 cut first by the server; 1 closed first by something in between: lb-1; 1 unreachable: db-4." */
function summaryLine(report: ProbeFleetReport): string {
  const { summary } = report;
  // The server cutting first is what should happen; every other group is named.
  const parts = summary.by_verdict.map(
    (group) =>
      `${group.count} ${GROUP[group.verdict]}${group.verdict === 'server' ? '' : `: ${names(group.targets)}`}`,
  );
  parts.push(...tallyParts(summary));
  return `${summary.servers} servers: ${parts.join('; ') || 'none probed'}.`;
}
