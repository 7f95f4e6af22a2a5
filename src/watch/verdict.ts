/**
 * - `stable`: connections were seen across at least two ticks and no id was replaced after a
 *   short life (a pool; a pool that retires its connections by age, "recycling", is stable too).
 * - `churning`: ids appeared, and ids went away after a short life (connect per request), or
 *   the server closed them for idling (a pool that keeps connections longer than it allows:
 *   the application's next query on one gets "server has gone away").
 * - `idle`: nothing to judge: no matching connection now, and none replaced.
 * - `unknown`: one sample so far (a verdict needs two); or, overall, what the watcher saw was
 *   calm but other users' connections are hidden from it (no PROCESS privilege).
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
  /** Of those, the ones that had lived long (see `recycledAfterSeconds`): a pool retiring them by age. */
  recycled: number;
  /** Of those, the ones the server closed for idling (wait_timeout): never recycled. */
  closed: number;
}

/**
 * How long a connection must have lived for its end to count as recycling rather than churn:
 * a minute, or half the server's wait_timeout when that is shorter (a pool set up for a short
 * wait_timeout retires its connections sooner), but at least 10 s. Requests that open their own
 * connection hold it for milliseconds to seconds.
 */
export function recycledAfterSeconds(waitTimeout: number): number {
  return Math.min(60, Math.max(10, Math.floor(waitTimeout / 2)));
}

export function clientVerdict(evidence: Evidence): Verdict {
  if (evidence.closed > 0) return 'churning';
  if (evidence.added > 0 && evidence.gone - evidence.recycled > 0) return 'churning';
  if (evidence.present === 0) return 'idle';
  return evidence.held > 0 ? 'stable' : 'unknown';
}

/**
 * The verdict over all clients: any churn wins, then any stable pool. `shortLived` counts
 * connections the server accepted that no tick saw (only known without filters); they are churn too.
 * With `otherUsersHidden` (no PROCESS privilege) calm is not known: other users' churn is unseen.
 */
export function overallVerdict(
  verdicts: Iterable<Verdict>,
  shortLived = 0,
  otherUsersHidden = false,
): Verdict {
  const seen = new Set(verdicts);
  if (seen.has('churning') || shortLived > 0) return 'churning';
  if (otherUsersHidden) return 'unknown';
  if (seen.has('stable')) return 'stable';
  if (seen.has('unknown')) return 'unknown';
  return 'idle';
}
