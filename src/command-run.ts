/**
 * What happens once a command line has been read, whoever read it: yargs (src/cli.ts) or the
 * fast path for a clean check-timeout line (src/fast-path.ts). One copy, so that both paths
 * refuse, warn, run, stop and fail alike.
 */
import type { CommandSpec } from './commands/spec.ts';
import { passwordOnCommandLine, typedFlag } from './connection/argv.ts';
import { type ConnectionFlags, refuseEmptyFlags } from './connection/sources.ts';
import { resolveTarget, type ServerTarget } from './connection/target.ts';
import { Interrupts } from './interrupt.ts';
import type { IO } from './io.ts';
import { describeFailure } from './output/errors.ts';
import type { ExitCodeValue } from './output/exit-codes.ts';
import { wrapProse } from './output/prose.ts';
import { messageWidthOf } from './output/width.ts';

/** Said before anything else when the password was typed on the command line. */
export function warnOfPasswordOnCommandLine(argv: readonly string[], io: IO): void {
  if (passwordOnCommandLine(argv)) {
    io.stderr.write(
      'dbcache: warning: a password on the command line can be seen by other users of this machine; prefer -p alone (prompt), MYSQL_PWD or an option file.\n',
    );
  }
}

/** Runs a command with the options read from `argv`: the empty-flag rule, one interrupt model, the target on first use. */
export async function runCommand(
  spec: CommandSpec,
  args: Record<string, unknown>,
  argv: readonly string[],
  io: IO,
): Promise<ExitCodeValue> {
  refuseEmptyFlags(args as ConnectionFlags, (long) => typedFlag(argv, long));
  let target: ServerTarget | undefined;
  // One interrupt model per run: SIGINT and SIGTERM reach the command through its target.
  const interrupts = new Interrupts((code) => process.exit(code));
  const stopListening = interrupts.listenToProcess();
  try {
    const source = () => {
      target ??= resolveTarget(args as ConnectionFlags, io, interrupts);
      return target;
    };
    return await spec.run(args, io, Object.assign(source, { interrupts }));
  } finally {
    stopListening();
  }
}

/** Says why a run failed, on stderr, and returns its exit code. */
export function reportFailure(err: unknown, io: IO): ExitCodeValue {
  const failure = describeFailure(err, Boolean(io.env.DBCACHE_DEBUG));
  // A message is wrapped to a terminal; a stack trace (DBCACHE_DEBUG) is left as it is.
  const text = failure.text.includes('\n')
    ? failure.text
    : wrapProse(failure.text, messageWidthOf(io.stderr, io.env));
  io.stderr.write(`${text}\n`);
  return failure.exitCode;
}
