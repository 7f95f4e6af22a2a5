import type { MetricFamily } from '../../output/openmetrics.ts';
import type { ProbeIdleReport } from './report.ts';

/**
 * probe-idle's result as gauges beside check-timeout's (same `instance` label, the address):
 * the measured limit of the path, and whether something between cuts before the server.
 */
export function probeMetrics(report: ProbeIdleReport): MetricFamily[] {
  const instance = report.connection.address;
  const limit = report.limit;
  const between = report.verdict === 'closed-between' || report.verdict === 'black-holed-between';
  const keepalive = report.advice.keepalive;
  return [
    {
      name: 'dbcache_path_idle_limit_seconds',
      help: 'The idle limit measured from this host: the bracket around the first cut (no sample when nothing cut up to --max)',
      unit: 'seconds',
      samples: limit
        ? [
            { labels: { instance, bound: 'lower' }, value: limit.lower_seconds },
            { labels: { instance, bound: 'upper' }, value: limit.upper_seconds },
          ]
        : [],
    },
    {
      name: 'dbcache_path_tested_seconds',
      help: 'The longest silence probe-idle tested',
      unit: 'seconds',
      samples: [{ labels: { instance }, value: report.run.max_seconds }],
    },
    {
      name: 'dbcache_path_cut_between',
      help: '1 when a proxy, load balancer, NAT or firewall cut idle connections before the server would',
      samples: [{ labels: { instance, verdict: report.verdict }, value: between ? 1 : 0 }],
    },
    {
      name: 'dbcache_path_keepalive_needed',
      help: '1 when only TCP keepalive (or a pool lifetime below the limit) keeps idle connections through the path',
      samples:
        keepalive === 'needed' ? [{ labels: { instance }, value: 1 }] : [{ labels: { instance }, value: 0 }],
    },
    {
      name: 'dbcache_path_probe_complete',
      help: '1 when the run finished, 0 when it was stopped early (the bracket is what was known then)',
      samples: [{ labels: { instance }, value: report.complete ? 1 : 0 }],
    },
  ];
}
