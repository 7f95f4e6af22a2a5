/**
 * Runs one piece of work per server with at most `parallel` under way, each with its own
 * deadline, so one dead host holds only its own slot. An abort stops starting new work and
 * aborts the work under way; what had finished is kept.
 */
export type Outcome<R> =
  | { state: 'done'; value: R }
  | { state: 'failed'; error: unknown }
  /** Past its deadline; `value` when the work wound down within the grace period. */
  | { state: 'timed-out'; value?: R }
  /** Under way when the run was stopped; `value` when the work wound down within the grace period. */
  | { state: 'interrupted'; value?: R }
  | { state: 'not-run' };

interface BoundedOptions {
  parallel: number;
  deadlineMs: number;
  signal?: AbortSignal;
  /**
   * How long stopped work (deadline or abort) may take to wind down before its slot is freed:
   * probe-idle ends its probes on the server and returns what it learned. 0 (the default) frees
   * the slot at once.
   */
  graceMs?: number;
}

export async function runBounded<T, R>(
  items: readonly T[],
  options: BoundedOptions,
  work: (item: T, signal: AbortSignal) => Promise<R>,
): Promise<Outcome<R>[]> {
  const outcomes: Outcome<R>[] = items.map(() => ({ state: 'not-run' }));
  // One listener on the run's signal for all servers under way (one each would pass Node's
  // listener limit with --parallel above 10).
  const underWay = new Set<(reason: unknown) => void>();
  const onAbort = () => {
    for (const stop of underWay) stop(options.signal?.reason);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !options.signal?.aborted) {
      const index = next++;
      outcomes[index] = await runOne(items[index] as T, options, underWay, work);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel, items.length)) }, worker));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  return outcomes;
}

async function runOne<T, R>(
  item: T,
  { deadlineMs, graceMs = 0 }: BoundedOptions,
  underWay: Set<(reason: unknown) => void>,
  work: (item: T, signal: AbortSignal) => Promise<R>,
): Promise<Outcome<R>> {
  const controller = new AbortController();
  let timedOut = false;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('deadline'));
    wake();
  }, deadlineMs);
  const stop = (reason: unknown) => {
    controller.abort(reason);
    wake();
  };
  underWay.add(stop);
  try {
    const running = work(item, controller.signal).then(
      (value): Outcome<R> => ({ state: 'done', value }),
      (error: unknown): Outcome<R> => ({ state: 'failed', error }),
    );
    // The work is told to stop through its signal; its slot is freed at the deadline (plus the
    // grace period) whether or not it has wound down, so one host that ignores the abort cannot
    // hold the run.
    let outcome = await Promise.race([running, stopped.then(() => undefined)]);
    if (outcome?.state === 'done' || (outcome && !controller.signal.aborted)) return outcome;
    if (!outcome && graceMs > 0) {
      let graceTimer: NodeJS.Timeout | undefined;
      outcome = await Promise.race([
        running,
        new Promise<undefined>((resolve) => {
          graceTimer = setTimeout(() => resolve(undefined), graceMs);
        }),
      ]);
      clearTimeout(graceTimer);
    }
    const state = timedOut ? 'timed-out' : 'interrupted';
    return outcome?.state === 'done' ? { state, value: outcome.value } : { state };
  } finally {
    clearTimeout(timer);
    underWay.delete(stop);
  }
}
