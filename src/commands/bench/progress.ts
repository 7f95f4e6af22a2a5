import type { IO, Output } from '../../io.ts';

interface Progress {
  update(completed: number): void;
  /** Clears the bar so the report starts on a clean line. */
  done(): void;
}

const NONE: Progress = { update: () => undefined, done: () => undefined };
const WIDTH = 30;
/** Redraws at most this often: drawing must cost the measured loop next to nothing. */
const REDRAW_MS = 100;

/** Streams whose current line holds a bar (no newline after it yet). */
const barLines = new WeakSet<Output>();

/**
 * What a message on `stream` must start with to begin on a line of its own: a newline when a
 * bar is drawn on the current line (where the terminal has also echoed `^C`), else nothing.
 * The bar then redraws itself below the message.
 */
export function freshLine(stream: Output): string {
  if (!barLines.has(stream)) return '';
  barLines.delete(stream);
  return '\n';
}

/** A one-line bar on stderr, only for a person at a terminal: pipes, files and CI logs get nothing. */
export function progressBar(io: IO, label: string, total: number): Progress {
  if (!io.stderr.isTTY) return NONE;
  let drawnAt = Number.NEGATIVE_INFINITY;
  const draw = (completed: number) => {
    const filled = Math.round((completed / total) * WIDTH);
    io.stderr.write(
      `\r\u001b[K${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${completed}/${total}`,
    );
    barLines.add(io.stderr);
  };
  return {
    update(completed) {
      const now = io.now();
      if (completed < total && now - drawnAt < REDRAW_MS) return;
      drawnAt = now;
      draw(completed);
    },
    done() {
      io.stderr.write('\r\u001b[K');
      barLines.delete(io.stderr);
    },
  };
}
