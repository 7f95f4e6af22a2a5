import type { ChalkInstance } from 'chalk';
import type { BenchReport, RunReport } from '../../bench/report.ts';
import { wrapProse } from '../../output/prose.ts';
import { keyValueTable } from '../../output/table.ts';

const ms = (value: number | undefined): string => (value === undefined ? '-' : `${value.toFixed(3)} ms`);

function describeThreadIds(ids: number[]): string {
  if (ids.length === 0) return '-';
  if (ids.length <= 6) return ids.join(', ');
  return `${ids.length} different, ${ids[0]} to ${ids[ids.length - 1]}`;
}

/** The human view of the same model that --json prints. */
export function renderBench(
  report: BenchReport,
  color: ChalkInstance,
  width = Number.POSITIVE_INFINITY,
  /** Suggest a TLS run: only where one would work (a server that offers TLS, over TCP). */
  { suggestTls = false }: { suggestTls?: boolean } = {},
): string {
  const out: string[] = [];
  const say = (text: string) => out.push(wrapProse(text, width));
  const { server } = report;
  say(
    `${color.bold(`${server.flavor} ${server.version}`)} at ${server.address} as ${server.user}, ${server.tls ? 'over TLS' : 'without TLS'}`,
  );
  const planned = report.per_request?.planned_requests ?? report.pooled?.planned_requests;
  say(
    `Each run: ${planned ?? 'the'} requests of ${JSON.stringify(report.query)}, ${report.concurrency} at a time.`,
  );
  out.push('');
  const column = (run: RunReport | null, cell: (run: RunReport) => string) => (run ? cell(run) : 'not run');
  const row = (label: string, cell: (run: RunReport) => string): [string, string, string] => [
    label,
    column(report.per_request, cell),
    column(report.pooled, cell),
  ];
  out.push(
    keyValueTable(
      [
        row(
          'requests',
          (run) =>
            `${run.requests}${run.requests < run.planned_requests ? ` of ${run.planned_requests}` : ''}`,
        ),
        row('requests/s', (run) => run.requests_per_second.toFixed(0)),
        row('latency p50', (run) => ms(run.latency_ms?.p50)),
        row('latency p95', (run) => ms(run.latency_ms?.p95)),
        row('latency p99', (run) => ms(run.latency_ms?.p99)),
        row('connections opened', (run) => String(run.connections_opened)),
        row('thread ids', (run) => describeThreadIds(run.thread_ids)),
        row('time', (run) => `${run.seconds.toFixed(3)} s`),
      ],
      ['', 'per request', 'pooled'],
    ),
  );
  out.push('');
  const { speedup } = report;
  if (speedup) {
    say(
      `Pooled connections served ${color.bold(`${speedup.throughput}x`)} the requests per second of connecting per request ` +
        `(p50 latency ${speedup.latency_p50}x lower). Connecting and closing added ${color.bold(ms(speedup.connect_cost_ms))} to every request.`,
    );
  }
  const perRequest = report.per_request;
  if (perRequest && perRequest.connections_opened !== perRequest.requests) {
    say(
      color.yellow(
        `The server counted ${perRequest.connections_opened} new connections during the per-request run of ${perRequest.requests} requests: other clients connected meanwhile, so the numbers include their load.`,
      ),
    );
  }
  if (!server.tls && suggestTls && !report.interrupted) {
    say(
      color.dim(
        'This ran without TLS. Applications that connect over TLS pay more per connect: try --ssl-mode REQUIRED to see how much.',
      ),
    );
  }
  if (report.interrupted) {
    say(
      color.yellow(
        'Interrupted: stopped early and closed every connection; the numbers above cover what ran.',
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
