import { OpenConnections } from '../../bench/open-connections.ts';
import { DEFAULT_QUERY } from '../../bench/requests.ts';
import { SAFE_LIMITS, type SafeLimits } from '../../bench/safety.ts';
import { countFlag } from '../../count.ts';
import type { Interrupts } from '../../interrupt.ts';
import type { IO } from '../../io.ts';
import { usageError } from '../../output/errors.ts';
import { ExitCode } from '../../output/exit-codes.ts';
import type { CommandSpec } from '../spec.ts';
import { freshLine } from './progress.ts';

const DEFAULT_REQUESTS = 500;
const DEFAULT_CONCURRENCY = 4;
const MAX_REQUESTS = 1_000_000;
const MAX_CONCURRENCY = 1000;

/** The --yes help, from the limits themselves so the two cannot drift apart. */
export const yesDescription = (limits: SafeLimits = SAFE_LIMITS): string =>
  `Run even beyond the safe limits (${limits.requests} connections, ${limits.concurrency} at once, ${limits.connectionsPerSecond} per second, ${Math.round(limits.shareOfFreeSlots * 100)} % of the free slots)`;

/**
 * Ctrl-C for a bench run (see src/interrupt.ts): the first, or SIGTERM, stops it between requests
 * (what ran is reported, exit 130); the second, for a request that does not end (a long
 * --query), drops every connection and exits 130 at once. Returns the function that stops listening.
 */
export function benchInterrupts(
  io: IO,
  interrupts: Interrupts,
  open: OpenConnections,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const onFirst = () =>
    io.stderr.write(
      `${freshLine(io.stderr)}dbcache: stopping after the requests in flight; press Ctrl-C again to drop them at once.\n`,
    );
  interrupts.signal.addEventListener('abort', onFirst, { once: true });
  const stopUrgent = interrupts.onUrgent(() => {
    open.dropAll();
    io.stderr.write(
      `${freshLine(io.stderr)}dbcache: stopped at once: the connections were dropped with their queries unfinished, and nothing is reported.\n`,
    );
    exit(ExitCode.interrupted);
  });
  return () => {
    interrupts.signal.removeEventListener('abort', onFirst);
    stopUrgent();
  };
}

/** The yargs side of `bench`: flags and help only; the work is loaded when chosen. */
export const benchCommand: CommandSpec = {
  command: 'bench',
  describe: 'Measure what connection caching saves on this server: connect-per-request against a pool',
  builder: (yargs) =>
    yargs
      .option('requests', {
        alias: 'n',
        type: 'string',
        default: String(DEFAULT_REQUESTS),
        describe: 'Requests in each run; the per-request run opens one connection for each',
      })
      .option('concurrency', {
        alias: 'c',
        type: 'string',
        default: String(DEFAULT_CONCURRENCY),
        describe: 'Requests in flight at once; the pooled run keeps this many connections',
      })
      .option('query', {
        type: 'string',
        default: DEFAULT_QUERY,
        describe: 'The request: one small statement',
      })
      .option('yes', {
        type: 'boolean',
        default: false,
        describe: yesDescription(),
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print one JSON document (schema in the README)',
      })
      .example('$0 bench', 'the local server: 500 requests, 4 at a time, each way')
      .example(
        '$0 bench -h db1 -u app -p --ssl-mode REQUIRED',
        'a remote server over TLS, where connecting costs most',
      )
      .example('$0 bench -n 2000 -c 8 --json', 'more requests, machine-readable')
      .example('$0 bench --query "SELECT * FROM app.settings LIMIT 1"', 'your own small request'),
  async run(args, io, target) {
    const requests = countFlag('requests', args.requests, MAX_REQUESTS);
    const concurrency = countFlag('concurrency', args.concurrency, MAX_CONCURRENCY);
    if (concurrency > requests) {
      throw usageError(
        `--concurrency ${concurrency} is more than --requests ${requests}: there would be nothing for some connections to do.`,
      );
    }
    const query = String(args.query ?? '').trim();
    if (query === '')
      throw usageError(
        '--query is empty: give one small statement, or leave it out for SELECT CONNECTION_ID().',
      );
    const { runBench } = await import('./index.ts');
    const server = target();
    const { interrupts } = server;
    const open = new OpenConnections();
    const stopListening = benchInterrupts(io, interrupts, open);
    try {
      return await interrupts.handle(() =>
        runBench(
          {
            requests,
            concurrency,
            query,
            json: Boolean(args.json),
            yes: Boolean(args.yes),
            signal: interrupts.signal,
            open,
          },
          io,
          server,
        ),
      );
    } finally {
      stopListening();
    }
  },
};
