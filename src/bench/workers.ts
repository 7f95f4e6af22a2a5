import type { Request } from './requests.ts';

interface RunPlan {
  requests: number;
  concurrency: number;
  /** Stops the run between requests: requests in flight finish and close their connections. */
  signal?: AbortSignal;
  /** Called after each completed request with the count so far (a progress bar, not a measurement). */
  onProgress?: (completed: number) => void;
}

/** What one run measured, before any summary. */
export interface Measurement {
  planned: number;
  completed: number;
  elapsedMs: number;
  /** One a completed request, in completion order. */
  latenciesMs: Float64Array;
  threadIds: number[];
  interrupted: boolean;
}

/**
 * Runs `requests` requests with `concurrency` workers, each taking the next request as soon as
 * its last one finished (what mysqlslap's clients do). The loop keeps its own work to a counter
 * and two clock reads a request, into preallocated arrays. The first failure stops the other
 * workers after their current request and is thrown once all of them have stopped, so nothing
 * is left open behind it.
 */
export async function runRequests(
  request: Request,
  plan: RunPlan,
  clock: () => number = () => performance.now(),
): Promise<Measurement> {
  const latencies = new Float64Array(plan.requests);
  const threadIds = new Float64Array(plan.requests);
  let started = 0;
  let completed = 0;
  let failure: { error: unknown } | undefined;
  const stopped = () => failure !== undefined || plan.signal?.aborted === true;

  const worker = async () => {
    while (started < plan.requests && !stopped()) {
      started++;
      const begin = clock();
      let threadId: number;
      try {
        threadId = await request();
      } catch (error) {
        failure ??= { error };
        return;
      }
      latencies[completed] = clock() - begin;
      threadIds[completed] = threadId;
      completed++;
      plan.onProgress?.(completed);
    }
  };

  const begin = clock();
  await Promise.all(Array.from({ length: Math.min(plan.concurrency, plan.requests) }, worker));
  const elapsedMs = clock() - begin;
  if (failure) throw failure.error;
  return {
    planned: plan.requests,
    completed,
    elapsedMs,
    latenciesMs: latencies.subarray(0, completed),
    threadIds: Array.from(threadIds.subarray(0, completed)),
    interrupted: completed < plan.requests,
  };
}
