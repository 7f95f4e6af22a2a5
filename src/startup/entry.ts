/**
 * What bin/dbcache.js runs: the CLI through the caching loader (see loader.ts). Built into
 * dist/loader.cjs by scripts/build.mjs.
 */
import { Loader, type TextCache } from './loader.ts';
import { Tracer } from './trace.ts';

export function run(dir: string): void {
  const traceFile = process.env.DBCACHE_STARTUP_TRACE;
  const tracer = traceFile ? new Tracer(traceFile) : undefined;
  const loader = new Loader({ dir, env: process.env, tracer });
  // At exit, so that the cache also holds the functions this run compiled lazily.
  process.once('exit', () => loader.saveCaches());
  const cli = tracer?.begin('core: start and the fast path defined');
  const { main } = loader.chunk('start') as {
    main(argv: readonly string[], io: undefined, commands: undefined, cache: TextCache): Promise<number>;
  };
  cli?.end();
  tracer?.mark('main');
  main(process.argv.slice(2), undefined, undefined, loader).then((code) => {
    tracer?.mark('done');
    process.exitCode = code;
  });
}
