import type { ChalkInstance } from 'chalk';
import type { IO, Output } from '../../io.ts';
import { colorFor } from '../../output/style.ts';
import { keepaliveNeeds, type ProbeSnapshot } from '../../probe/engine.ts';

export interface ProgressView {
  update(snapshot: ProbeSnapshot, message: string): void;
  /** Clears the screen view so the report starts on a clean line. */
  done(): void;
}

export const NO_PROGRESS: ProgressView = { update: () => undefined, done: () => undefined };

/** m:ss since the start. */
export const clock = (ms: number): string => {
  const total = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
};
const sec = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/** The longest the run can still take: up to the top of the ladder, or to the keepalive verdict. */
export function timeLeftMs(snapshot: ProbeSnapshot, pingDeadlineMs = 5000): number {
  const { hi } = snapshot.bracket;
  const end = (hi === null ? snapshot.maxIdleMs * 1.1 : keepaliveNeeds(hi) * 1.1) + pingDeadlineMs;
  return Math.max(0, end - snapshot.elapsedMs);
}

/** Plain lines for pipes and logs: one per event, with the time since the start. */
export function linesProgress(out: Output, header: string): ProgressView {
  out.write(`${header}\n`);
  return {
    update(snapshot, message) {
      out.write(`[${clock(snapshot.elapsedMs)}] ${message}\n`);
    },
    done() {
      out.write('\n');
    },
  };
}

/** A block redrawn in place for a person at a terminal: the ladder, the bracket, the time left. */
/** A screen redrawn in place on a terminal, plain lines in a pipe. */
export function progressFor(io: IO, header: string): ProgressView {
  return io.stdout.isTTY
    ? screenProgress(io.stdout, colorFor(io.stdout, io.env), header, io.now)
    : linesProgress(io.stdout, header);
}

export function screenProgress(
  out: Output,
  color: ChalkInstance,
  header: string,
  now: () => number,
): ProgressView {
  let drawn = 0;
  let last: { snapshot: ProbeSnapshot; message: string; at: number } | null = null;
  const draw = () => {
    if (!last) return;
    const snapshot = { ...last.snapshot, elapsedMs: last.snapshot.elapsedMs + (now() - last.at) };
    const lines = frame(snapshot, last.message, color, header);
    out.write(`${drawn > 0 ? `\u001b[${drawn}F` : ''}\u001b[J${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const ticker = setInterval(draw, 1000);
  ticker.unref?.();
  out.write('\u001b[?25l');
  return {
    update(snapshot, message) {
      last = { snapshot, message, at: now() };
      draw();
    },
    done() {
      clearInterval(ticker);
      out.write(`${drawn > 0 ? `\u001b[${drawn}F` : ''}\u001b[J\u001b[?25h`);
    },
  };
}

export function frame(
  snapshot: ProbeSnapshot,
  message: string,
  color: ChalkInstance,
  header: string,
): string[] {
  const { bracket } = snapshot;
  const lines = [color.bold(header)];
  lines.push(
    `elapsed ${clock(snapshot.elapsedMs)}, at most about ${clock(timeLeftMs(snapshot))} left; silences tested up to ${sec(snapshot.maxIdleMs)}`,
  );
  lines.push(
    `known so far: idle connections survive ${sec(bracket.lo)}${bracket.hi === null ? '' : color.red(`, are cut by ${sec(bracket.hi)}`)}`,
  );
  const ladder = snapshot.tests.slice(-8).map((test) => {
    const outcome = test.outcome === 'alive' ? color.green('alive') : color.red(test.outcome);
    return `  ${sec(test.idleMs).padStart(8)}  ${outcome}${test.whileIdle ? ' (while idle)' : ''}`;
  });
  if (ladder.length > 0) lines.push('ladder (silence, outcome):', ...ladder);
  const waiting = snapshot.probes
    .map((probe) => `${probe.keepalive ? 'k' : ''}${sec(probe.idleMs)}${probe.pingAtMs !== null ? '?' : ''}`)
    .join('  ');
  lines.push(`probes silent for: ${waiting || '-'}`);
  lines.push(color.dim(message));
  return lines;
}
