import type { ChalkInstance } from 'chalk';
import { formatDuration } from '../../duration.ts';
import { wrapProse } from '../../output/prose.ts';
import { paintSeverity } from '../../output/style.ts';
import { keyValueTable } from '../../output/table.ts';
import { DEFAULT_WAIT_TIMEOUT, type TimeoutReport } from './report.ts';

const seconds = (value: number | string | undefined): string =>
  value === undefined ? '-' : typeof value === 'number' ? `${value} s` : value;
/** The idle-transaction timeouts use 0 for "never". */
const secondsOrOff = (value: number | string | undefined): string => (value === 0 ? 'off' : seconds(value));

/** The human view of the same model that --json prints. */
export function renderReport(
  report: TimeoutReport,
  color: ChalkInstance,
  width = Number.POSITIVE_INFINITY,
): string {
  const { global, session, status, derived } = report;
  const out: string[] = [];
  const say = (text: string, lead = '') => out.push(wrapProse(text, width, lead));
  const managed = report.server.managed ? ` (${report.server.managed.provider})` : '';
  say(
    color.bold(`${report.server.flavor} ${report.server.version}${managed}`) +
      ` at ${report.connection.address} as ${report.connection.user} (connection ${report.connection.connection_id})`,
  );
  out.push('');

  const timeouts: Array<[string, string, string]> = [
    ['wait_timeout', seconds(global.wait_timeout), seconds(session.wait_timeout)],
    ['interactive_timeout', seconds(global.interactive_timeout), seconds(session.interactive_timeout)],
  ];
  for (const name of [
    'idle_transaction_timeout',
    'mysqlx_wait_timeout',
    'connect_timeout',
    'net_read_timeout',
    'net_write_timeout',
  ]) {
    if (global[name] !== undefined) timeouts.push([name, secondsOrOff(global[name]), '']);
  }
  out.push(keyValueTable(timeouts, ['timeout', 'global', 'this session']));
  say(
    `An application pool's connections get ${color.bold(`${report.application_timeout} s`)} (${formatDuration(report.application_timeout)}) ` +
      'of idle time before the server closes them: a driver connection is non-interactive and starts with the global wait_timeout. ' +
      'The mysql shell is interactive and sees interactive_timeout as its session wait_timeout, so do not read the number there.',
  );
  if (report.wait_timeout_origin) {
    const { source, path } = report.wait_timeout_origin;
    say(`wait_timeout was set by: ${source}${path ? ` (${path})` : ''}.`);
  }
  const files = report.option_files;
  if (files && files.error === null) {
    const next = files.wait_timeout;
    say(
      next === null
        ? `At the next restart: no option file sets wait_timeout, so the server starts with the default ${DEFAULT_WAIT_TIMEOUT} s.`
        : `At the next restart: ${next.file} line ${next.line} sets wait_timeout = ${next.value ?? ''}${next.seconds === null ? '' : ` (${next.seconds} s)`}.`,
    );
  }
  out.push('');

  const percent = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)} %`);
  const count = (name: keyof typeof status) => (status[name] === null ? '-' : String(status[name]));
  out.push(
    keyValueTable(
      [
        ['max_connections', String(global.max_connections ?? '-'), ''],
        ['Threads_connected', count('Threads_connected'), 'open connections now'],
        [
          'Max_used_connections',
          count('Max_used_connections'),
          `${percent(derived.max_connections_used_ratio)} of max_connections`,
        ],
        [
          'Connections',
          count('Connections'),
          `${derived.connections_per_second ?? '-'} per second since start`,
        ],
        [
          'Threads_created',
          count('Threads_created'),
          `thread cache hit rate ${percent(derived.thread_cache_hit_rate)}`,
        ],
        ['thread_cache_size', String(global.thread_cache_size ?? '-'), ''],
        [
          'Aborted_clients',
          count('Aborted_clients'),
          `${percent(derived.aborted_clients_ratio)} of connections dropped without a close`,
        ],
        ['Aborted_connects', count('Aborted_connects'), 'failed connection attempts'],
        ['Uptime', count('Uptime'), status.Uptime === null ? '' : formatDuration(status.Uptime)],
      ],
      ['server', 'value', 'meaning'],
    ),
  );
  out.push('');
  for (const finding of report.findings) {
    say(finding.message, `${paintSeverity(color, finding.severity)} `);
    say(finding.advice, `  ${color.dim('→')} `);
  }
  if (report.expect) {
    out.push('');
    say(
      report.expect.matches
        ? color.green(`Expected wait_timeout ${report.expect.wait_timeout} s: matches.`)
        : color.red(
            `Expected wait_timeout ${report.expect.wait_timeout} s: the server has ${global.wait_timeout} s.`,
          ),
    );
  }
  return `${out.join('\n')}\n`;
}
