import { type LatencySummary, summarizeLatencies } from './latency.ts';
import type { ThreadIdSource } from './requests.ts';
import type { Measurement } from './workers.ts';

/** One run (per request or pooled) in the `--json` document. */
export interface RunReport {
  /** Requests completed (fewer than planned when interrupted). */
  requests: number;
  planned_requests: number;
  seconds: number;
  requests_per_second: number;
  /** Per request, as the client waited for it; null when none completed. */
  latency_ms: LatencySummary | null;
  /** The server's `Connections` counter after the run minus before it. */
  connections_opened: number;
  /** The distinct server thread ids that answered, ascending. */
  thread_ids: number[];
}

/** What connection caching saved, pooled against per request. */
interface Speedup {
  /** Pooled requests per second ÷ per-request requests per second. */
  throughput: number;
  /** Per-request p50 latency ÷ pooled p50 latency. */
  latency_p50: number;
  /** Per-request mean latency − pooled mean latency: what connecting and closing add to each request. */
  connect_cost_ms: number;
}

/** The `--json` document (documented in the README; a public interface). */
export interface BenchReport {
  server: { address: string; user: string; flavor: string; version: string; tls: boolean };
  query: string;
  thread_id_source: ThreadIdSource;
  concurrency: number;
  interrupted: boolean;
  per_request: RunReport | null;
  pooled: RunReport | null;
  speedup: Speedup | null;
}

export function runReport(measurement: Measurement, connectionsOpened: number): RunReport {
  const seconds = measurement.elapsedMs / 1000;
  return {
    requests: measurement.completed,
    planned_requests: measurement.planned,
    seconds: round(seconds, 3),
    requests_per_second: seconds > 0 ? round(measurement.completed / seconds, 1) : 0,
    latency_ms: summarizeLatencies(measurement.latenciesMs),
    connections_opened: connectionsOpened,
    thread_ids: [...new Set(measurement.threadIds)].sort((a, b) => a - b),
  };
}

/** Null unless both runs completed requests: a ratio of an interrupted run says nothing. */
export function speedupOf(perRequest: RunReport | null, pooled: RunReport | null): Speedup | null {
  if (!perRequest?.latency_ms || !pooled?.latency_ms) return null;
  if (perRequest.requests_per_second <= 0 || pooled.latency_ms.p50 <= 0) return null;
  return {
    throughput: round(pooled.requests_per_second / perRequest.requests_per_second, 2),
    latency_p50: round(perRequest.latency_ms.p50 / pooled.latency_ms.p50, 2),
    connect_cost_ms: round(perRequest.latency_ms.mean - pooled.latency_ms.mean, 3),
  };
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
