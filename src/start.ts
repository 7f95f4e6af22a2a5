/**
 * What bin/dbcache.js runs (through dist/loader.cjs): a clean check-timeout command line through
 * the fast path, which does not load yargs; anything else through the CLI built on yargs, loaded
 * only then (scripts/build.mjs gives src/cli.ts a group file of its own, since it is imported here
 * dynamically). `commands` is for tests, as in cli.ts's main; `cache` is the loader's (the help
 * printed is kept in it, see help-cache.ts).
 */
import type { CommandSpec } from './commands/spec.ts';
import { FAST_COMMANDS, runFast } from './fast-path.ts';
import { helpKey, recordHelp } from './help-cache.ts';
import { type IO, processIO } from './io.ts';
import type { TextCache } from './startup/loader.ts';

export async function main(
  argv: readonly string[],
  io: IO = processIO(),
  commands?: readonly CommandSpec[],
  cache?: TextCache,
): Promise<number> {
  // Help is recorded for the next time (the loader gives it again: src/startup/entry.ts).
  const help = cache && !commands ? helpKey(argv, io) : undefined;
  const fast = await runFast(argv, io, commands ?? FAST_COMMANDS);
  if (fast !== undefined) return fast;
  const cli = await import('./cli.ts');
  if (cache && help !== undefined) {
    return recordHelp(
      () => cli.main(argv, io),
      (text) => cache.write('help', help, text),
    );
  }
  return commands ? cli.main(argv, io, commands) : cli.main(argv, io);
}
