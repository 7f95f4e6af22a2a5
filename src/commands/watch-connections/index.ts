import { setTimeout as delay } from 'node:timers/promises';
import type { ServerTarget } from '../../connection/target.ts';
import type { IO } from '../../io.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { colorFor } from '../../output/style.ts';
import type { WatchHeader } from '../../watch/human.ts';
import { linesView } from '../../watch/lines.ts';
import { type LoopOptions, watchLoop } from '../../watch/loop.ts';
import { ndjsonView } from '../../watch/ndjson.ts';
import { type Filters, hasFilters, type SummaryReport } from '../../watch/report.ts';
import { screenView } from '../../watch/screen.ts';
import { openSession, type SessionOptions } from '../../watch/session.ts';
import type { WatchView } from '../../watch/view.ts';

export interface WatchConnectionsOptions {
  intervalMs: number;
  count?: number;
  durationMs?: number;
  filters: Filters;
  json: boolean;
}

/** What the caller controls besides the options: the stop signal and the pace (tests go faster). */
export interface WatchRuntime {
  /** Aborting it stops the watch with a summary; the CLI wires SIGINT and SIGTERM to it. */
  signal?: AbortSignal;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  backoff?: LoopOptions['backoff'];
  /** Receives the summary as well (tests read it without parsing the output). */
  onSummary?: (summary: SummaryReport) => void;
}

const realSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  delay(ms, undefined, { signal }).catch(() => undefined);

export const DEFAULT_BACKOFF = { initialMs: 250, maxMs: 5000 };

export async function runWatchConnections(
  options: WatchConnectionsOptions,
  io: IO,
  target: ServerTarget,
  runtime: WatchRuntime = {},
): Promise<ExitCodeValue> {
  const sessionOptions: SessionOptions = {
    filters: options.filters,
    // Twice the interval, at least 5 s: a slow tick is tolerated, a stalled network is not.
    queryTimeoutMs: Math.max(5000, 2 * options.intervalMs),
    now: io.now,
  };
  // The first connection's failures (refused, password, privilege) end the command with their exit code.
  const session = await openSession(target, sessionOptions);
  const context = {
    source: session.source,
    filters: options.filters,
    seesEveryClient: session.seesEveryUser && !hasFilters(options.filters),
  };
  const header: WatchHeader = {
    server: `${session.identity.flavor} ${session.identity.version}`,
    address: target.address,
    user: target.user,
    source: session.source,
    filters: options.filters,
    intervalMs: options.intervalMs,
    watcherId: session.watcherId,
    notes: session.seesEveryUser
      ? []
      : [
          `User ${target.user} does not seem to have the PROCESS privilege: the server then lists only that user's own connections.`,
        ],
  };
  const view = chooseView(options, io);
  view.start(header);
  const summary = await watchLoop(
    session,
    context,
    {
      intervalMs: options.intervalMs,
      ...(options.count !== undefined ? { count: options.count } : {}),
      ...(options.durationMs !== undefined ? { durationMs: options.durationMs } : {}),
      backoff: runtime.backoff ?? DEFAULT_BACKOFF,
    },
    {
      now: io.now,
      sleep: runtime.sleep ?? realSleep,
      signal: runtime.signal ?? new AbortController().signal,
      reconnect: () => openSession(target, sessionOptions),
      view,
    },
  );
  runtime.onSummary?.(summary);
  return ExitCode.ok;
}

/** A person at a terminal gets the in-place screen; pipes, files and CI get lines; --json gets NDJSON. */
function chooseView(options: WatchConnectionsOptions, io: IO): WatchView {
  if (options.json) return ndjsonView(io.stdout);
  const color = colorFor(io.stdout, io.env);
  return io.stdout.isTTY ? screenView(io.stdout, color) : linesView(io.stdout, color);
}
