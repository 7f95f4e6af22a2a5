import type { WatchHeader } from './human.ts';
import type { DisconnectedEvent, SummaryReport, TickReport } from './report.ts';

/** Where the loop reports what happens; one implementation per kind of output. */
export interface WatchView {
  start(header: WatchHeader): void;
  tick(report: TickReport): void;
  disconnected(event: DisconnectedEvent): void;
  retrying(attempt: number, reason: string, nextInMs: number): void;
  finish(summary: SummaryReport): void;
  /** Restores the terminal whatever happened; safe to call twice. */
  close(): void;
}
