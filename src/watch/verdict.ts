/**
 * - `stable`: connections were seen across at least two ticks and no id was replaced (a pool).
 * - `churning`: ids were replaced: some appeared and some went away (connect per request, or a
 *   pool whose connections the server closes).
 * - `idle`: nothing to judge: no matching connection now, and none replaced.
 * - `unknown`: one sample so far; a verdict needs two.
 */
export type Verdict = 'stable' | 'churning' | 'idle' | 'unknown';

/** What one client (user@host) did over the ticks being judged. */
export interface Evidence {
  /** Tick-to-tick comparisons in which at least one of its ids was there on both ticks. */
  held: number;
  /** Connections it has open now. */
  present: number;
  /** Ids that appeared. */
  added: number;
  /** Ids that went away, not counting those that ended with a server restart. */
  gone: number;
}

export function clientVerdict(evidence: Evidence): Verdict {
  if (evidence.added > 0 && evidence.gone > 0) return 'churning';
  if (evidence.present === 0) return 'idle';
  return evidence.held > 0 ? 'stable' : 'unknown';
}

/**
 * The verdict over all clients: any churn wins, then any stable pool. `shortLived` counts
 * connections the server accepted that no tick saw (only known without filters); they are churn too.
 */
export function overallVerdict(verdicts: Iterable<Verdict>, shortLived = 0): Verdict {
  const seen = new Set(verdicts);
  if (seen.has('churning') || shortLived > 0) return 'churning';
  if (seen.has('stable')) return 'stable';
  if (seen.has('unknown')) return 'unknown';
  return 'idle';
}
