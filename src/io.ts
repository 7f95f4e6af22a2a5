import type { Readable } from 'node:stream';

/**
 * The world a command talks to, passed in by the caller so that tests can drive a command end
 * to end without spawning a process (the GitHub CLI's IOStreams pattern).
 */
export interface Output {
  /** Text, or bytes where they must pass unchanged (patch-config's diff of a latin1 file). */
  write(chunk: string | Uint8Array): unknown;
  /** True when a person is looking at it: colors, prompts and in-place refreshes are allowed. */
  isTTY?: boolean;
  /** A terminal's width in columns (Node sets it on a TTY stream): prose is wrapped to it. */
  columns?: number;
}

type Input = Readable & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };

export interface IO {
  stdout: Output;
  stderr: Output;
  stdin: Input;
  env: Record<string, string | undefined>;
  /** The current directory: relative `!include` paths and `--out` files resolve against it. */
  cwd: string;
  now(): number;
}

export function processIO(): IO {
  // `dbcache … | head` closes the pipe early. An unheard 'error' event would end the process
  // with a stack trace; the output is simply no longer wanted, so later writes are dropped and
  // the command finishes (closing its connections) as it would have.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.stderr.write(`dbcache: could not write the output: ${err.message}\n`);
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // On first use: making process.stdin loads Node's file or socket stream code (~3 ms of start-up).
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    now: () => Date.now(),
  };
}
