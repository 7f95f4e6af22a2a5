/**
 * What bin/dbcache.js runs (through dist/loader.cjs): a clean check-timeout command line through
 * the fast path, which does not load yargs; anything else through the CLI built on yargs, loaded
 * only then (scripts/build.mjs gives src/cli.ts a group file of its own, since it is imported here
 * dynamically). `commands` is for tests, as in cli.ts's main.
 */
import type { CommandSpec } from './commands/spec.ts';
import { FAST_COMMANDS, runFast } from './fast-path.ts';
import { type IO, processIO } from './io.ts';

export async function main(
  argv: readonly string[],
  io: IO = processIO(),
  commands?: readonly CommandSpec[],
): Promise<number> {
  const fast = await runFast(argv, io, commands ?? FAST_COMMANDS);
  if (fast !== undefined) return fast;
  const cli = await import('./cli.ts');
  return commands ? cli.main(argv, io, commands) : cli.main(argv, io);
}
