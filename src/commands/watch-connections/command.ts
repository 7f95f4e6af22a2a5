import { countFlag } from '../../count.ts';
import { usageError } from '../../output/errors.ts';
import type { CommandSpec } from '../spec.ts';
import type { WatchConnectionsOptions } from './index.ts';
import { parseInterval } from './interval.ts';

const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 3_600_000;

/** The yargs side of `watch-connections`: flags, help, and Ctrl-C; the work is loaded when chosen. */
export const watchConnectionsCommand: CommandSpec = {
  command: 'watch-connections',
  describe:
    "Watch the server's connection ids tick by tick: stable ids mean pooled clients, new ids mean churn",
  builder: (yargs) =>
    yargs
      .option('interval', { type: 'string', default: '2s', describe: 'Time between ticks (2, 500ms, 5s)' })
      .option('count', {
        type: 'string',
        describe: 'Stop after this many ticks (a failed reconnect attempt counts as one)',
      })
      .option('duration', { type: 'string', describe: 'Stop after this long (30s, 5m)' })
      .option('filter-user', {
        type: 'string',
        array: true,
        describe: 'Only connections of this user (repeat for more; % is a wildcard). --user stays the login',
      })
      .option('filter-db', { type: 'string', array: true, describe: 'Only connections using this database' })
      .option('filter-host', {
        type: 'string',
        array: true,
        describe: 'Only connections from this client host (10.0.0.5, 10.0.%, localhost for the socket)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'NDJSON: one tick object per line, then a summary (schema in the README)',
      })
      .example(
        '$0 watch-connections',
        'every client of the local server, refreshed every 2 s; Ctrl-C for the summary',
      )
      .example(
        '$0 watch-connections --filter-user app --duration 1m',
        "one minute of the app user's connections, then a verdict",
      )
      .example(
        '$0 watch-connections --filter-host 10.0.% --count 30 > watch.log',
        'plain lines for a log file',
      )
      .example('$0 watch-connections --json --count 10 | jq .verdict', 'machine-readable ticks'),
  async run(args, io, target) {
    const options = watchOptions(args);
    const { runWatchConnections } = await import('./index.ts');
    // Ctrl-C or SIGTERM ends the watch with a summary and exit 0; a second Ctrl-C does not wait for it.
    const server = target();
    const { interrupts } = server;
    const stopUrgent = interrupts.onUrgent(() => {
      if (io.stdout.isTTY) io.stdout.write('\u001b[?25h\n');
      process.exit(130);
    });
    try {
      return await interrupts.handle(() =>
        runWatchConnections(options, io, server, { signal: interrupts.signal }),
      );
    } finally {
      stopUrgent();
    }
  },
};

export function watchOptions(args: Record<string, unknown>): WatchConnectionsOptions {
  const intervalMs = parseInterval(String(args.interval ?? '2s'));
  if (intervalMs instanceof Error) throw usageError(`--interval: ${intervalMs.message}`);
  if (intervalMs < MIN_INTERVAL_MS || intervalMs > MAX_INTERVAL_MS) {
    throw usageError('--interval must be between 100ms and 1h.');
  }
  const count = args.count === undefined ? undefined : countFlag('count', args.count, undefined, 'ticks');
  let durationMs: number | undefined;
  if (args.duration !== undefined) {
    const parsed = parseInterval(String(args.duration));
    if (parsed instanceof Error) throw usageError(`--duration: ${parsed.message}`);
    if (parsed <= 0) throw usageError('--duration must be longer than 0.');
    durationMs = parsed;
  }
  const list = (value: unknown): string[] =>
    (Array.isArray(value) ? value : value === undefined ? [] : [value])
      .map(String)
      .filter((item) => item !== '');
  return {
    intervalMs,
    ...(count !== undefined ? { count } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
    filters: { user: list(args.filterUser), db: list(args.filterDb), host: list(args.filterHost) },
    json: Boolean(args.json),
  };
}
