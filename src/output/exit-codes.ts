/**
 * One table of exit codes for every command. The README's table is generated from the same
 * words; change both together, since scripts depend on these numbers.
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

export type ExitCodeName = keyof typeof ExitCode;
export type ExitCodeValue = (typeof ExitCode)[ExitCodeName];

export const exitCodeMeaning: Record<ExitCodeName, string> = {
  ok: 'success',
  checkFailed: 'the check ran, and the server is not as expected (for example `--expect` did not match)',
  usage: 'bad command line: unknown flag, bad value, unknown command or target',
  connection: 'could not reach the server: refused, unreachable, timed out, no such socket, TLS failure',
  authentication: 'the server refused the user name or password',
  privilege: 'the user lacks a privilege the command needs (nothing was changed)',
  file: 'an option file or output file could not be read, parsed or written',
  server: 'the server returned an error for a statement',
  interrupted: 'stopped by Ctrl-C (SIGINT) after closing its connections; what it measured is printed',
  internal: 'a bug in dbcache (run again with DBCACHE_DEBUG=1 and report the stack)',
};
