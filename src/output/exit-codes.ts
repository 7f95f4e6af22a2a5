/**
 * One table of exit codes for every command. The README's table says the same in more words
 * (test/readme.test.ts checks the numbers match); scripts depend on these numbers.
 */
export const ExitCode = {
  ok: 0,
  /** The command ran but what it checked is not as expected (e.g. `check-timeout --expect`). */
  checkFailed: 1,
  usage: 2,
  connection: 3,
  authentication: 4,
  privilege: 5,
  file: 6,
  server: 7,
  /** Stopped by Ctrl-C (SIGINT) after cleaning up: the shell's 128 + 2. */
  interrupted: 130,
  /** A bug in dbcache: please report it. */
  internal: 70,
} as const;

type ExitCodeName = keyof typeof ExitCode;
export type ExitCodeValue = (typeof ExitCode)[ExitCodeName];
