import type { IO } from '../../io.ts';

interface Progress {
  update(completed: number): void;
  /** Clears the bar so the report starts on a clean line. */
  done(): void;
}

const NONE: Progress = { update: () => undefined, done: () => undefined };
const WIDTH = 30;
/** Redraws at most this often: drawing must cost the measured loop next to nothing. */
const REDRAW_MS = 100;

/** A one-line bar on stderr, only for a person at a terminal: pipes, files and CI logs get nothing. */
export function progressBar(io: IO, label: string, total: number): Progress {
  if (!io.stderr.isTTY) return NONE;
  let drawnAt = Number.NEGATIVE_INFINITY;
  const draw = (completed: number) => {
    const filled = Math.round((completed / total) * WIDTH);
    io.stderr.write(
      `\r\u001b[K${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${completed}/${total}`,
    );
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
    },
  };
}
