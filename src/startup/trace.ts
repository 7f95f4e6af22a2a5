/**
 * Phase times of one run, for `npm run bench -- startup` (perf/startup.bench.ts): set
 * `DBCACHE_STARTUP_TRACE=<file>` and the run writes its phases there as JSON at exit.
 * Times are milliseconds since the process started (performance.now()).
 */
import { subscribe, tracingChannel } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';

interface Phase {
  name: string;
  start: number;
  end: number;
  cpu: number;
  note?: string;
}

export interface Trace {
  phases: Phase[];
  /** mysql2's own trace points (its diagnostics channels): the connect, and each query. */
  mysql2: { name: string; start: number; end: number }[];
  /** Milliseconds since the process started, and CPU milliseconds used by then (all threads). */
  marks: Record<string, { time: number; cpu: number }>;
}

export class Tracer {
  readonly trace: Trace = { phases: [], marks: {}, mysql2: [] };

  constructor(file: string) {
    this.mark('loader');
    // The first connection to the server: when its socket is made, connected and closed.
    subscribe('net.client.socket', (message) => {
      const { socket } = message as { socket: Socket };
      if (this.trace.marks.socket !== undefined) return;
      this.mark('socket');
      socket.once('connect', () => this.mark('connected'));
      socket.once('close', () => this.mark('closed'));
    });
    for (const name of ['connect', 'query']) {
      const starts = new WeakMap<object, number>();
      tracingChannel(`mysql2:${name}`).subscribe({
        start: (context: object) => starts.set(context, performance.now()),
        end: () => undefined,
        asyncStart: () => undefined,
        asyncEnd: (context: object) => {
          const start = starts.get(context);
          if (start !== undefined) this.trace.mysql2.push({ name, start, end: performance.now() });
        },
        error: () => undefined,
      });
    }
    process.once('exit', () => {
      this.mark('exit');
      try {
        writeFileSync(file, JSON.stringify(this.trace));
      } catch {
        // A trace that cannot be written is not worth failing the command for.
      }
    });
  }

  mark(name: string): void {
    if (this.trace.marks[name]) return;
    const { user, system } = process.cpuUsage();
    this.trace.marks[name] = { time: performance.now(), cpu: (user + system) / 1000 };
  }

  begin(name: string): { end(note?: string): void } {
    const start = performance.now();
    const cpu = process.cpuUsage();
    return {
      end: (note) => {
        const { user, system } = process.cpuUsage(cpu);
        this.trace.phases.push({
          name,
          start,
          end: performance.now(),
          cpu: (user + system) / 1000,
          ...(note ? { note } : {}),
        });
      },
    };
  }
}
