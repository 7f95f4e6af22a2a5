/**
 * What bin/dbcache.js runs: the CLI through the caching loader (see loader.ts). Built into
 * dist/loader.cjs by scripts/build.mjs.
 */
import { helpKey } from '../help-cache.ts';
import { type IO, processIO } from '../io.ts';
import { Loader, type TextCache } from './loader.ts';
import { Tracer } from './trace.ts';

export function run(dir: string): void {
  const traceFile = process.env.DBCACHE_STARTUP_TRACE;
  const tracer = traceFile ? new Tracer(traceFile) : undefined;
  const loader = new Loader({ dir, env: process.env, tracer });
  // At exit, so that the cache also holds the functions this run compiled lazily.
  process.once('exit', (code) => loader.saveCaches(code === 0));
  const argv = process.argv.slice(2);
  const io = processIO();
  // Help seen before is given again as yargs printed it, before the CLI is even loaded.
  const help = helpKey(argv, io);
  const text = help === undefined ? undefined : loader.read('help', help);
  if (text !== undefined) {
    io.stdout.write(text);
    tracer?.mark('done');
    return;
  }
  const cli = tracer?.begin('core: start and the fast path defined');
  const { main } = loader.chunk('start') as {
    main(argv: readonly string[], io: IO, commands: undefined, cache: TextCache): Promise<number>;
  };
  cli?.end();
  tracer?.mark('main');
  main(argv, io, undefined, loader).then((code) => {
    tracer?.mark('done');
    process.exitCode = code;
  });
}
