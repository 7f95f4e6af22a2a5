import { ExitCode } from './output/exit-codes.ts';

/** What asked the command to stop: Ctrl-C at the terminal, or a supervisor's SIGTERM (systemd, docker stop, kill). */
type StopRequest = 'SIGINT' | 'SIGTERM';

/** The reason an interrupted AbortSignal carries: which request stopped it. */
export class Interrupted extends Error {
  constructor(readonly by: StopRequest) {
    super(by === 'SIGINT' ? 'interrupted (Ctrl-C)' : 'stopped (SIGTERM)');
    this.name = 'Interrupted';
  }
}

/** "Ctrl-C" or "SIGTERM", for messages. */
export const describeStop = (signal: AbortSignal): string =>
  signal.reason instanceof Interrupted && signal.reason.by === 'SIGTERM' ? 'SIGTERM' : 'Ctrl-C';

/**
 * The one interrupt model of every command, created once per command run by the CLI shell:
 *
 * - `signal` aborts at the first Ctrl-C or at SIGTERM (SIGTERM always counts as a first Ctrl-C):
 *   stop at the next safe point. Connects and statements take it and give up at once (their
 *   sockets destroyed), loops end, and a command that changes the server checks it between
 *   statements and undoes what it did.
 * - `urgent` aborts at a second Ctrl-C: stop now, whatever is in flight. A command that can be
 *   stopped at once (bench's running queries, a statement the server does not answer during a
 *   change) listens for it; where nobody does, the process exits 130 at once.
 *
 * Ctrl-C keeps its ordinary meaning (the process ends, exit 130) whenever no work is `handle`d:
 * while a command waits at a prompt, or reads and writes files, nothing needs undoing.
 */
export class Interrupts {
  readonly #first = new AbortController();
  readonly #second = new AbortController();
  #handling = 0;
  #urgentHandlers = 0;
  readonly #exit: ((code: number) => void) | undefined;

  /**
   * `exit` ends the process when a press finds nothing to handle it (the CLI passes
   * process.exit); without one, such a press aborts the signals like any other (tests, and
   * targets no process signal reaches).
   */
  constructor(exit?: (code: number) => void) {
    this.#exit = exit;
  }

  get signal(): AbortSignal {
    return this.#first.signal;
  }

  get urgent(): AbortSignal {
    return this.#second.signal;
  }

  /** Runs `work` with interrupts delivered to the signals instead of ending the process. */
  async handle<T>(work: () => Promise<T>): Promise<T> {
    this.#handling += 1;
    try {
      return await work();
    } finally {
      this.#handling -= 1;
    }
  }

  /** Calls `listener` at a second Ctrl-C instead of exiting at once; returns the function that stops listening. */
  onUrgent(listener: () => void): () => void {
    this.#urgentHandlers += 1;
    this.#second.signal.addEventListener('abort', listener, { once: true });
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.#urgentHandlers -= 1;
      this.#second.signal.removeEventListener('abort', listener);
    };
  }

  /**
   * A signal for statements that are stopped by a first Ctrl-C, except while `hold` runs: then
   * the statement in flight is left to finish (or meet its deadline) and only a second Ctrl-C
   * stops it. For a command whose work must not be cut in the middle (set-timeout's change and
   * its undo, bench's counters around a run). Call `release` when done.
   */
  holdable(): { signal: AbortSignal; hold<T>(work: () => Promise<T>): Promise<T>; release(): void } {
    const controller = new AbortController();
    let holding = false;
    const onFirst = () => {
      if (!holding) controller.abort(this.signal.reason);
    };
    this.signal.addEventListener('abort', onFirst, { once: true });
    const stopUrgent = this.onUrgent(() => controller.abort(this.urgent.reason));
    return {
      signal: controller.signal,
      hold: async <T>(work: () => Promise<T>): Promise<T> => {
        holding = true;
        try {
          return await this.handle(work);
        } finally {
          holding = false;
        }
      },
      release: () => {
        this.signal.removeEventListener('abort', onFirst);
        stopUrgent();
      },
    };
  }

  /** What a SIGINT or SIGTERM does (the CLI's process listeners call it; tests call it directly). */
  press(request: StopRequest = 'SIGINT'): void {
    if (this.#handling === 0 && this.#exit) {
      this.#exit(ExitCode.interrupted);
      return;
    }
    if (!this.#first.signal.aborted) {
      this.#first.abort(new Interrupted(request));
      return;
    }
    if (request !== 'SIGINT') return;
    if (this.#urgentHandlers === 0 && this.#exit) {
      this.#exit(ExitCode.interrupted);
      return;
    }
    if (!this.#second.signal.aborted) this.#second.abort(new Interrupted(request));
  }

  /**
   * Delivers the process's SIGINT and SIGTERM to `press` until the returned function is called.
   * Listening replaces Node's default (end the process), so `press` exits itself when nothing handles them.
   */
  listenToProcess(): () => void {
    const onInt = () => this.press('SIGINT');
    const onTerm = () => this.press('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    return () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
  }
}
