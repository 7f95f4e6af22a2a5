import {
  runWatchConnections,
  type WatchConnectionsOptions,
  type WatchRuntime,
} from '../../src/commands/watch-connections/index.ts';
import type { ConnectionFlags } from '../../src/connection/sources.ts';
import type { ExitCodeValue } from '../../src/output/exit-codes.ts';
import type { DisconnectedEvent, SummaryReport, TickReport } from '../../src/watch/report.ts';
import { memoryIO } from '../helpers/io.ts';
import type { TestServer } from '../helpers/server.ts';
import { tcpTarget } from '../helpers/target.ts';

export type WatchLine = TickReport | DisconnectedEvent | SummaryReport;

/** A watcher running in-process with --json, whose lines the test reads as they are written. */
export interface LiveWatch {
  lines: WatchLine[];
  ticks(): TickReport[];
  /** Resolves with the first line (already written or still to come) that matches. */
  waitFor<T extends WatchLine>(what: string, match: (line: WatchLine) => line is T): Promise<T>;
  waitForTick(what: string, match: (tick: TickReport) => boolean): Promise<TickReport>;
  /** Ctrl-C: asks for the summary. */
  stop(): void;
  done: Promise<{ code: ExitCodeValue; summary: SummaryReport }>;
}

/** Not a speed limit: a deadline so that a broken watcher fails the test instead of hanging it. */
const DEADLINE_MS = 60_000;

export function startWatch(
  server: TestServer,
  options: Partial<WatchConnectionsOptions>,
  runtime: Omit<WatchRuntime, 'signal'> = {},
  flags: ConnectionFlags = {},
): LiveWatch {
  const { io } = memoryIO();
  const lines: WatchLine[] = [];
  const waiters = new Set<() => void>();
  let pending = '';
  io.stdout = {
    isTTY: false,
    write(text: string) {
      pending += text;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        lines.push(JSON.parse(pending.slice(0, newline)) as WatchLine);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
      for (const waiter of waiters) waiter();
    },
  };
  const controller = new AbortController();
  let failed: unknown;
  const done = runWatchConnections(
    { intervalMs: 100, filters: { user: [], db: [], host: [] }, json: true, ...options },
    io,
    tcpTarget(server, io, flags),
    { ...runtime, signal: controller.signal },
  ).then(
    (code) => {
      const summary = lines.find((line): line is SummaryReport => line.type === 'summary');
      if (!summary) throw new Error('the watcher ended without a summary');
      return { code, summary };
    },
    (err: unknown) => {
      failed = err;
      for (const waiter of waiters) waiter();
      throw err;
    },
  );
  done.catch(() => undefined);

  const waitFor = <T extends WatchLine>(what: string, match: (line: WatchLine) => line is T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = lines.find(match);
        if (found || failed) {
          waiters.delete(check);
          clearTimeout(timer);
          if (found) resolve(found);
          else reject(failed);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `The watcher never showed ${what}. Its output:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`,
          ),
        );
      }, DEADLINE_MS);
      if (!check()) waiters.add(check);
    });

  return {
    lines,
    ticks: () => lines.filter((line): line is TickReport => line.type === 'tick'),
    waitFor,
    waitForTick: (what, match) =>
      waitFor(what, (line): line is TickReport => line.type === 'tick' && match(line)),
    stop: () => controller.abort(),
    done,
  };
}
