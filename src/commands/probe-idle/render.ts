import type { ChalkInstance } from 'chalk';
import { formatDuration } from '../../duration.ts';
import { wrapProse } from '../../output/prose.ts';
import { plainTable } from '../../output/table.ts';
import type { ProbeIdleReport } from './report.ts';

const WHO: Record<string, string> = {
  server: 'the server',
  between: 'something in between',
};

/** One line: what closes idle connections first from this host. */
function headline(report: ProbeIdleReport): string {
  const { limit } = report;
  const wait = report.server.wait_timeout;
  const range = limit ? `${limit.lower_seconds.toFixed(1)}–${limit.upper_seconds.toFixed(1)} s` : '';
  const keep = `${wait} s${wait >= 60 ? ` (${formatDuration(wait)})` : ''}`;
  switch (report.verdict) {
    case 'server':
      return `The server's wait_timeout closes idle connections first: after ${range} (wait_timeout ${wait} s).`;
    case 'no-cut':
      return `No idle connection was cut within ${report.run.max_seconds} s (wait_timeout ${wait} s, ${formatDuration(wait)}).`;
    case 'closed-between':
      return `Something in between CLOSES idle connections after ${range}; the server would keep them ${keep}.`;
    case 'black-holed-between':
      return `Something in between BLACK-HOLES idle connections after ${range} (no answer, no error); the server would keep them ${keep}.`;
    case 'interrupted':
      return `Stopped early: idle connections survived ${report.bracket.survived_seconds} s${report.bracket.cut_seconds === null ? '' : `, and were cut by ${report.bracket.cut_seconds} s`}.`;
  }
}

/** The human view of the same model that --json prints. */
export function renderReport(
  report: ProbeIdleReport,
  color: ChalkInstance,
  width = Number.POSITIVE_INFINITY,
): string {
  const out: string[] = [];
  const say = (text: string, lead = '') => out.push(wrapProse(text, width, lead));
  say(
    `${color.bold('Idle limit')} from this host to ${report.connection.address} as ${report.connection.user} (${report.server.version})`,
  );
  out.push('');
  const line = headline(report);
  say(report.verdict.endsWith('between') ? color.red.bold(line) : color.green(line));
  if (report.limit) {
    say(
      `cut by: ${WHO[report.limit.component ?? ''] ?? 'cannot tell'} (${report.limit.kind}${report.limit.evidence ? `; ${evidenceText(report.limit.evidence)}` : ''})`,
      '  ',
    );
  }
  if (report.keepalive && report.keepalive.outcome !== 'not-tested') {
    say(
      `TCP keepalive every ${report.keepalive.interval_seconds} s: ${report.keepalive.outcome === 'alive' ? 'kept a connection alive' : `${report.keepalive.outcome}`} after ${report.keepalive.idle_seconds?.toFixed(1)} s without a statement`,
      '  ',
    );
  }
  out.push('');
  const table = plainTable(['probe', 'connection', 'silence', 'outcome', 'server still had it']);
  for (const probe of [...report.probes].sort((a, b) => a.idle_seconds - b.idle_seconds)) {
    table.push([
      String(probe.probe),
      String(probe.connection_id),
      `${probe.idle_seconds.toFixed(2)} s`,
      probe.outcome === 'alive'
        ? color.green('alive')
        : color.red(`${probe.outcome}${probe.while_idle ? ' (while idle)' : ''}`),
      probe.server_still_had_it === null ? '' : probe.server_still_had_it ? 'yes (killed)' : 'no',
    ]);
  }
  out.push(table.toString());
  out.push('');
  for (const message of report.advice.messages) say(message, `${color.dim('→')} `);
  out.push('');
  say(
    color.dim(
      `${report.run.connections_used} probe connections (${report.run.probes} at a time, plus a keepalive probe), ${report.run.elapsed_seconds} s; silences tested up to ${report.run.max_seconds} s, ping deadline ${report.run.ping_deadline_seconds} s.`,
    ),
  );
  return `${out.join('\n')}\n`;
}

function evidenceText(evidence: string): string {
  switch (evidence) {
    case 'server-still-had-it':
      return 'the server still held the connection';
    case 'no-answer':
      return 'no answer and no error, which a server never does';
    case 'before-wait-timeout':
      return "well before the server's wait_timeout; a proxy closes both sides";
    case 'server-said-timeout':
      return 'the server said so (error 4031)';
    case 'at-wait-timeout':
      return 'gone from the server at its wait_timeout';
    case 'unix-socket':
      return 'over a Unix socket only the server can';
    default:
      return evidence;
  }
}
