import { diffSnapshots } from './diff.ts';
import type { GapView, StopReason, SummaryReport } from './report.ts';
import {
  describeLoss,
  isConnectionLost,
  isWorthRetrying,
  type WatchSession,
  watchFailure,
} from './session.ts';
import type { Snapshot } from './snapshot.ts';
import { type WatchContext, WatchStats } from './stats.ts';
import type { WatchView } from './view.ts';

export interface LoopOptions {
  intervalMs: number;
  /** Stop after this many ticks (failed reconnect attempts count as ticks). */
  count?: number;
  /** Stop once this much time has passed since the first tick. */
  durationMs?: number;
  /** Reconnect backoff: the first wait, doubled after each failure up to the last. */
  backoff: { initialMs: number; maxMs: number };
}

/** The world the loop runs in, injected so tests drive it with real connections but their own pace. */
export interface LoopWorld {
  now(): number;
  /** Resolves after `ms`, or at once when the signal aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Stops the watch: a summary is printed and the run ends normally. */
  signal: AbortSignal;
  /** Opens a fresh session after the connection was lost; gives up at once when the signal aborts. */
  reconnect(signal: AbortSignal): Promise<WatchSession>;
  view: WatchView;
}

interface OpenGap {
  startedAt: number;
  reason: string;
  attempts: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Tick, diff, record, show; until the count, the duration or the stop signal. A lost connection
 * (KILL, server restart, network) opens a gap: reconnect with backoff, then carry on with the
 * same counts, comparing the next tick with the last one before the gap. A failed reconnect
 * attempt counts as a tick, so --count and --duration end the watch even while the server is
 * away; an error that retrying cannot fix (a wrong password, a missing privilege) ends it at once.
 */
export async function watchLoop(
  firstSession: WatchSession,
  context: WatchContext,
  options: LoopOptions,
  world: LoopWorld,
): Promise<SummaryReport> {
  const { signal, view } = world;
  const stats = new WatchStats(context);
  let session: WatchSession | null = firstSession;
  let previous: Snapshot | null = null;
  let gap: OpenGap | null = null;
  let ownConnects = 0;
  let startedAt: number | null = null;
  let stoppedBy: StopReason = 'signal';
  const timeIsUp = () =>
    options.durationMs !== undefined && startedAt !== null && world.now() - startedAt >= options.durationMs;
  const countIsUp = () => options.count !== undefined && stats.tickCount >= options.count;
  /** Waits `ms`, but not past the end of --duration. */
  const pause = (ms: number) => {
    const left =
      options.durationMs !== undefined && startedAt !== null
        ? startedAt + options.durationMs - world.now()
        : ms;
    return world.sleep(Math.max(0, Math.min(ms, left)), signal);
  };

  try {
    while (!signal.aborted) {
      const tickStart = world.now();
      startedAt ??= tickStart;
      if (!session) {
        if (!gap) throw new Error('no session and no gap');
        gap.attempts += 1;
        try {
          session = await world.reconnect(signal);
          ownConnects += 1;
        } catch (err) {
          if (signal.aborted) break;
          if (!isWorthRetrying(err)) throw watchFailure(err);
          stats.missedTick();
          const wait = Math.min(options.backoff.maxMs, options.backoff.initialMs * 2 ** (gap.attempts - 1));
          view.retrying(gap.attempts, describeLoss(err), wait);
          if (countIsUp()) {
            stoppedBy = 'count';
            break;
          }
          await pause(wait);
          if (timeIsUp()) {
            stoppedBy = 'duration';
            break;
          }
          continue;
        }
      }

      let snapshot: Snapshot;
      try {
        snapshot = await session.sample(signal);
      } catch (err) {
        if (signal.aborted) break;
        if (!isConnectionLost(err)) throw watchFailure(err);
        await session.close();
        session = null;
        if (!gap) {
          gap = { startedAt: world.now(), reason: describeLoss(err), attempts: 0 };
          view.disconnected({ type: 'disconnected', at: iso(gap.startedAt), reason: gap.reason });
        }
        continue;
      }

      const diff = diffSnapshots(previous, snapshot);
      const gapView: GapView | null = gap
        ? {
            started_at: iso(gap.startedAt),
            seconds: Number(((snapshot.at - gap.startedAt) / 1000).toFixed(1)),
            reason: gap.reason,
            attempts: gap.attempts,
            server_restarted: diff.serverRestarted,
          }
        : null;
      view.tick(
        stats.record({
          snapshot,
          diff,
          source: session.source,
          watcherId: session.watcherId,
          gap: gapView,
          ownConnects,
        }),
      );
      previous = snapshot;
      gap = null;
      ownConnects = 0;

      if (countIsUp()) {
        stoppedBy = 'count';
        break;
      }
      if (timeIsUp()) {
        stoppedBy = 'duration';
        break;
      }
      await pause(Math.max(0, tickStart + options.intervalMs - world.now()));
    }
    const endedAt = world.now();
    const summary = stats.summary(stoppedBy, endedAt, gap ? (endedAt - gap.startedAt) / 1000 : null);
    view.finish(summary);
    return summary;
  } finally {
    view.close();
    await session?.close();
  }
}
