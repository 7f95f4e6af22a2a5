import { checked } from '../../fleet/report.ts';
import { gauge, type MetricFamily } from '../../output/openmetrics.ts';
import type { ProbeFleetReport } from './fleet.ts';
import { cutBetween } from './report.ts';

/**
 * probe-idle's results as gauges beside check-timeout's (the same `instance` label: the address,
 * or the target as written): the measured limit of each path, and whether something between
 * cuts before the server. Names differ from check-timeout's, so both files can sit in one
 * textfile directory.
 */
export function probeFleetMetrics({ servers: entries }: ProbeFleetReport): MetricFamily[] {
  const up = gauge('dbcache_path_probe_up', '1 when probe-idle could probe the server, 0 when it could not');
  const limit = gauge(
    'dbcache_path_idle_limit_seconds',
    'The idle limit measured from this host: the bracket around the first cut (no sample when nothing cut up to --max)',
    'seconds',
  );
  const tested = gauge('dbcache_path_tested_seconds', 'The longest silence probe-idle tested', 'seconds');
  const between = gauge(
    'dbcache_path_cut_between',
    '1 when a proxy, load balancer, NAT or firewall cut idle connections before the server would',
  );
  const keepalive = gauge(
    'dbcache_path_keepalive_needed',
    '1 when only TCP keepalive (or a pool lifetime below the limit) keeps idle connections through the path',
  );
  const complete = gauge(
    'dbcache_path_probe_complete',
    '1 when the run finished, 0 when it was stopped early (the bracket is what was known then)',
  );
  for (const entry of entries) {
    const instance = entry.target;
    up.samples.push({ labels: { instance }, value: checked(entry) ? 1 : 0 });
    if (!checked(entry)) continue;
    const { report } = entry;
    if (report.limit) {
      limit.samples.push(
        { labels: { instance, bound: 'lower' }, value: report.limit.lower_seconds },
        { labels: { instance, bound: 'upper' }, value: report.limit.upper_seconds },
      );
    }
    tested.samples.push({ labels: { instance }, value: report.run.max_seconds });
    between.samples.push({
      labels: { instance, verdict: report.verdict },
      value: cutBetween(report) ? 1 : 0,
    });
    keepalive.samples.push({ labels: { instance }, value: report.advice.keepalive === 'needed' ? 1 : 0 });
    complete.samples.push({ labels: { instance }, value: report.complete ? 1 : 0 });
  }
  return [up, limit, tested, between, keepalive, complete];
}
