/**
 * What bin/dbcache.js runs (through dist/loader.cjs): a clean check-timeout command line through
 * the fast path, which does not load yargs; anything else through the CLI built on yargs, loaded
 * only then (scripts/build.mjs gives src/cli.ts a group file of its own, since it is imported here
 * dynamically). `commands` is for tests, as in cli.ts's main; `cache` is the loader's (help
 * given again from it, see help-cache.ts).
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
  // Help seen before is given again as yargs printed it, without loading yargs.
  const help = cache && !commands ? helpKey(argv, io) : undefined;
  if (cache && help !== undefined) {
    const text = cache.read('help', help);
    if (text !== undefined) {
      io.stdout.write(text);
      return 0;
    }
  }
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
