import { setTimeout as delay } from 'node:timers/promises';
import type { ServerTarget } from '../../connection/target.ts';
import type { IO, Output } from '../../io.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { colorFor } from '../../output/style.ts';
import type { WatchHeader } from '../../watch/human.ts';
import { linesView } from '../../watch/lines.ts';
import { type LoopOptions, watchLoop } from '../../watch/loop.ts';
import { ndjsonView } from '../../watch/ndjson.ts';
import { type Filters, hasFilters, type SummaryReport } from '../../watch/report.ts';
import { screenView, type Terminal } from '../../watch/screen.ts';
import { openSession, type SessionOptions, watchFailure } from '../../watch/session.ts';
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

const DEFAULT_BACKOFF = { initialMs: 250, maxMs: 5000 };

export async function runWatchConnections(
  options: WatchConnectionsOptions,
  io: IO,
  target: ServerTarget,
  runtime: WatchRuntime = {},
): Promise<ExitCodeValue> {
  // The watch stops on the caller's signal, or when nobody reads stdout any more.
  const stop = new AbortController();
  const onStop = () => stop.abort();
  runtime.signal?.addEventListener('abort', onStop, { once: true });
  if (runtime.signal?.aborted) stop.abort();
  const stdout = closableOutput(io.stdout, onStop);
  try {
    const sessionOptions: SessionOptions = {
      filters: options.filters,
      now: io.now,
      sourceMemory: { performanceSchemaRefused: false },
    };
    // The first connection's failures (refused, password, privilege) end the command with their exit code.
    let session: Awaited<ReturnType<typeof openSession>>;
    try {
      session = await openSession(target, sessionOptions, stop.signal);
    } catch (err) {
      if (!stop.signal.aborted) throw watchFailure(err);
      if (!stdout.closed) io.stderr.write('dbcache: stopped before the first tick.\n');
      return stdout.closed ? ExitCode.ok : ExitCode.interrupted;
    }
    const context = {
      source: session.source,
      filters: options.filters,
      seesEveryClient: session.seesEveryUser && !hasFilters(options.filters),
      otherUsersHidden: !session.seesEveryUser && !onlyUser(options.filters, target.user),
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
    const view = chooseView(options, io, stdout);
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
        signal: stop.signal,
        reconnect: (signal) => openSession(target, sessionOptions, signal),
        view,
      },
    );
    runtime.onSummary?.(summary);
    return ExitCode.ok;
  } finally {
    runtime.signal?.removeEventListener('abort', onStop);
    stdout.release();
  }
}

/** The filters ask for this one user only (no wildcard): all that a login without PROCESS needs to see. */
function onlyUser(filters: Filters, user: string): boolean {
  return filters.user.length > 0 && filters.user.every((name) => name === user && !name.includes('%'));
}

type ClosableOutput = Output & { isTTY?: boolean; rows?: number; columns?: number };

/**
 * stdout that ends the watch when it fails (`| head`, a closed terminal): the failed write's
 * 'error' event stops the loop, which closes the watcher's connection, and nothing more is
 * written. Without this a reader that goes away crashes the process with an unhandled EPIPE.
 */
function closableOutput(out: ClosableOutput, onClosed: () => void) {
  const events = out as ClosableOutput & {
    on?: (event: 'error' | 'resize', listener: (err: Error) => void) => unknown;
    off?: (event: 'error' | 'resize', listener: (err: Error) => void) => unknown;
  };
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    onClosed();
  };
  const onError = () => close();
  events.on?.('error', onError);
  const wrapped: ClosableOutput & Terminal & { readonly closed: boolean; release(): void } = {
    get isTTY() {
      return out.isTTY;
    },
    get rows() {
      return out.rows;
    },
    get columns() {
      return out.columns;
    },
    get closed() {
      return closed;
    },
    // A terminal's resizes reach the screen view, which redraws at the new size.
    on(event: 'resize', listener: () => void) {
      events.on?.(event, listener);
    },
    off(event: 'resize', listener: () => void) {
      events.off?.(event, listener);
    },
    write(text: string) {
      if (closed) return false;
      try {
        return out.write(text);
      } catch {
        // A stream may also throw at once (a closed file descriptor): the same as the event.
        close();
        return false;
      }
    },
    release() {
      // Once the stream failed, writes still queued may report the failure again: the listener
      // stays, so those reports are heard rather than crash the process.
      if (!closed) events.off?.('error', onError);
    },
  };
  return wrapped;
}

/** A person at a terminal gets the in-place screen; pipes, files and CI get lines; --json gets NDJSON. */
function chooseView(options: WatchConnectionsOptions, io: IO, stdout: ClosableOutput & Terminal): WatchView {
  if (options.json) return ndjsonView(stdout);
  const color = colorFor(io.stdout, io.env);
  return stdout.isTTY ? screenView(stdout, color) : linesView(stdout, color);
}
