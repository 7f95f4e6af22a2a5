import type { ChalkInstance } from 'chalk';
import { names, tallyParts } from '../../fleet/report.ts';
import { wrapProse } from '../../output/prose.ts';
import { paintSeverity } from '../../output/style.ts';
import { plainTable } from '../../output/table.ts';
import type { TimeoutFleetReport } from './fleet.ts';

const seconds = (value: number | string | undefined): string =>
  value === undefined ? '-' : typeof value === 'number' ? `${value} s` : value;

/** The human view of a fleet run: a row a server, then the servers grouped by their value. */
export function renderFleet(report: TimeoutFleetReport, color: ChalkInstance, width: number): string {
  const withExpect = report.summary.not_as_expected !== null;
  const table = plainTable([
    'server',
    'version',
    'wait_timeout',
    'interactive',
    'set by',
    'next start',
    ...(withExpect ? ['expect'] : []),
    'findings',
  ]);
  for (const entry of report.servers) {
    const { report: server, error } = entry;
    if (!server || error) {
      // The row says what kind of failure in a word; the whole sentence follows the table.
      table.push([
        entry.target,
        { colSpan: withExpect ? 7 : 6, content: color.red(error?.kind ?? 'failed') },
      ]);
      continue;
    }
    const findings = server.findings
      .filter((finding) => finding.severity === 'warning' || finding.severity === 'critical')
      // The expect column says it already.
      .filter((finding) => finding.code !== 'expectation-failed')
      .map((finding) => `${paintSeverity(color, finding.severity)} ${finding.code}`);
    const next = server.option_files?.wait_timeout?.seconds;
    table.push([
      entry.target,
      `${server.server.flavor} ${server.server.version}`,
      seconds(server.global.wait_timeout),
      seconds(server.global.interactive_timeout),
      server.wait_timeout_origin?.source ?? '-',
      server.option_files === null ? '-' : next === null || next === undefined ? 'not set' : `${next} s`,
      ...(withExpect ? [server.expect?.matches ? color.green('yes') : color.red('differs')] : []),
      findings.join('\n') || '-',
    ]);
  }
  const errors = report.servers.flatMap((entry) =>
    entry.error ? [wrapProse(`${entry.target}: ${entry.error.message}`, width)] : [],
  );
  return `${[table.toString(), ...errors, wrapProse(summaryLine(report), width)].join('\n')}\n`;
}

/** "9 at 600 s; 2 at 28800 s: db-7, db-9; 1 unreachable: db-4." Names are listed for minorities. */
function summaryLine(report: TimeoutFleetReport): string {
  const { summary } = report;
  // The largest group is the norm; the others are the servers to look at, so they are named.
  const parts = summary.by_wait_timeout.map(
    (group, index) =>
      `${group.count} at ${group.wait_timeout} s${index === 0 ? '' : `: ${names(group.targets)}`}`,
  );
  const expectParts = summary.not_as_expected?.length
    ? [`${summary.not_as_expected.length} not as expected: ${names(summary.not_as_expected)}`]
    : [];
  parts.push(...tallyParts(summary, ...expectParts));
  return `${summary.servers} servers: ${parts.join('; ') || 'none checked'}.`;
}
