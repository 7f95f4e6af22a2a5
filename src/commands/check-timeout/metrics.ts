import { checked } from '../../fleet/report.ts';
import { gauge, type MetricFamily } from '../../output/openmetrics.ts';
import type { TimeoutFleetReport } from './fleet.ts';

/**
 * check-timeout's readings as gauges, one sample per server (`instance` is the address or the
 * target as written): what node_exporter's textfile collector exports and alert rules test.
 */
export function timeoutMetrics({ servers: entries }: TimeoutFleetReport): MetricFamily[] {
  const up = gauge('dbcache_up', '1 when dbcache could read the server, 0 when it could not');
  const info = gauge('dbcache_server_info', 'The server flavor and version (always 1)');
  const wait = gauge(
    'dbcache_wait_timeout_seconds',
    'wait_timeout: the idle limit of a non-interactive connection',
    'seconds',
  );
  const interactive = gauge(
    'dbcache_interactive_timeout_seconds',
    'interactive_timeout: the idle limit of an interactive client (the mysql shell)',
    'seconds',
  );
  const nextStart = gauge(
    'dbcache_wait_timeout_next_start_seconds',
    'The wait_timeout the option files give at the next start (servers on the machine that ran dbcache)',
    'seconds',
  );
  const asExpected = gauge(
    'dbcache_wait_timeout_as_expected',
    '1 when the global wait_timeout equals --expect, else 0',
  );
  const finding = gauge('dbcache_finding', 'One sample per finding dbcache reported (always 1)');
  for (const entry of entries) {
    const instance = entry.target;
    up.samples.push({ labels: { instance }, value: checked(entry) ? 1 : 0 });
    if (!checked(entry)) continue;
    const { report } = entry;
    info.samples.push({
      labels: { instance, flavor: report.server.flavor, version: report.server.version },
      value: 1,
    });
    for (const [scope, values] of [
      ['global', report.global],
      ['session', report.session],
    ] as const) {
      const { wait_timeout, interactive_timeout } = values as Record<string, number | string>;
      if (typeof wait_timeout === 'number')
        wait.samples.push({ labels: { instance, scope }, value: wait_timeout });
      if (typeof interactive_timeout === 'number')
        interactive.samples.push({ labels: { instance, scope }, value: interactive_timeout });
    }
    const seconds = report.option_files?.wait_timeout?.seconds;
    if (typeof seconds === 'number') nextStart.samples.push({ labels: { instance }, value: seconds });
    if (report.expect)
      asExpected.samples.push({ labels: { instance }, value: report.expect.matches ? 1 : 0 });
    for (const { code, severity } of report.findings) {
      finding.samples.push({ labels: { instance, code, severity }, value: 1 });
    }
  }
  return [up, info, wait, interactive, nextStart, asExpected, finding];
}
