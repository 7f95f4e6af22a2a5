/** Latency of one run's requests, in milliseconds. */
export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/**
 * The nearest-rank percentile of ascending samples: the smallest sample with at least p % of
 * the samples at or below it, so p99 of 100 samples is the 99th, never an interpolated value
 * that no request took.
 */
export function percentile(ascending: ArrayLike<number>, p: number): number {
  if (ascending.length === 0) throw new RangeError('percentile of no samples');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside (0, 100]`);
  const rank = Math.ceil((p / 100) * ascending.length);
  return ascending[Math.min(rank, ascending.length) - 1] as number;
}

/** p50/p95/p99, mean, min and max of the samples, rounded to microseconds; null when there are none. */
export function summarizeLatencies(samples: ArrayLike<number>): LatencySummary | null {
  if (samples.length === 0) return null;
  const ascending = Float64Array.from(samples).sort();
  let total = 0;
  for (const sample of ascending) total += sample;
  return {
    p50: micro(percentile(ascending, 50)),
    p95: micro(percentile(ascending, 95)),
    p99: micro(percentile(ascending, 99)),
    mean: micro(total / ascending.length),
    min: micro(ascending[0] as number),
    max: micro(ascending[ascending.length - 1] as number),
  };
}

const micro = (ms: number): number => Math.round(ms * 1000) / 1000;
