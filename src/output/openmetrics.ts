/**
 * The OpenMetrics text format (which Prometheus and node_exporter's textfile collector read as
 * its text exposition format): one family a block, HELP and TYPE first, `# EOF` last.
 * https://prometheus.io/docs/specs/om/open_metrics_spec/
 */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  unit?: string;
  samples: Sample[];
}

/** An empty family to push samples into. */
export function gauge(name: string, help: string, unit?: string): MetricFamily {
  return { name, help, ...(unit ? { unit } : {}), samples: [] };
}

/** Families without samples are left out; every family is a gauge (each value is a reading). */
export function renderOpenMetrics(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    if (family.samples.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} gauge`);
    if (family.unit) lines.push(`# UNIT ${family.name} ${family.unit}`);
    for (const sample of family.samples)
      lines.push(`${family.name}${labelSet(sample.labels)} ${number(sample.value)}`);
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

function labelSet(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabel(value)}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

const escapeLabel = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const number = (value: number): string =>
  Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value);
