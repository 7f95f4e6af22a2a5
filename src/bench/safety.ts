/**
 * What `dbcache bench` does to a server without being asked twice (`--yes`). Connecting is the
 * expensive thing it measures, so it keeps the churn, the slots it takes and the rate modest.
 */
export interface SafeLimits {
  /** Connections the per-request run opens (one a request). */
  requests: number;
  /** Connections open at once, in either run. */
  concurrency: number;
  /** Of the server's free connection slots (max_connections − Threads_connected). */
  shareOfFreeSlots: number;
  /** New connections per second, as measured on the warm-up. */
  connectionsPerSecond: number;
}

export const SAFE_LIMITS: Readonly<SafeLimits> = {
  requests: 2000,
  concurrency: 16,
  shareOfFreeSlots: 0.5,
  connectionsPerSecond: 5000,
};

interface PlannedRun {
  requests: number;
  concurrency: number;
  maxConnections: number;
  threadsConnected: number;
}

/** Reasons to refuse before connecting at all; empty when the plan is within the limits. */
export function planRefusals(plan: PlannedRun, limits: SafeLimits = SAFE_LIMITS): string[] {
  const reasons: string[] = [];
  if (plan.requests > limits.requests) {
    reasons.push(
      `--requests ${plan.requests} makes the per-request run open ${plan.requests} connections, more than the ${limits.requests} it opens without --yes.`,
    );
  }
  if (plan.concurrency > limits.concurrency) {
    reasons.push(
      `--concurrency ${plan.concurrency} holds ${plan.concurrency} connections at once, more than the ${limits.concurrency} it holds without --yes.`,
    );
  }
  const free = Math.max(0, plan.maxConnections - plan.threadsConnected);
  if (plan.concurrency > free * limits.shareOfFreeSlots) {
    reasons.push(
      `--concurrency ${plan.concurrency} would take more than ${Math.round(limits.shareOfFreeSlots * 100)} % of the server's ${free} free connection slots (max_connections ${plan.maxConnections}, ${plan.threadsConnected} connected), leaving applications short.`,
    );
  }
  return reasons;
}

/** A reason to stop after the warm-up when it connected faster than the safe rate; null when it did not. */
export function rateRefusal(
  connectionsPerSecond: number,
  concurrency: number,
  limits: SafeLimits = SAFE_LIMITS,
): string | null {
  if (connectionsPerSecond <= limits.connectionsPerSecond) return null;
  return `The warm-up opened ${Math.round(connectionsPerSecond)} connections per second with --concurrency ${concurrency}, more than the ${limits.connectionsPerSecond} per second it opens without --yes.`;
}
