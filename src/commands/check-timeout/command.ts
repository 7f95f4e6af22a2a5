import { parseDuration } from '../../duration.ts';
import { fleetOptions, fleetRequest, namesAFleet } from '../../fleet/options.ts';
import { usageError } from '../../output/errors.ts';
import { parseFormat } from '../../output/format.ts';
import type { CommandSpec } from '../spec.ts';

/** The yargs side of `check-timeout`: flags and help only; the work is loaded when chosen. */
export const checkTimeoutCommand: CommandSpec = {
  command: 'check-timeout',
  describe: "Read the server's wait_timeout and relatives, and explain what they mean for pooled clients",
  builder: (yargs) =>
    fleetOptions(
      yargs
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'Print one JSON document (schema: man dbcache-check-timeout)',
        })
        .option('expect', {
          type: 'string',
          describe:
            'Exit 1 unless the global wait_timeout equals this (seconds, or 2m, 1h): for cron and monitoring',
        }),
      'Check',
    )
      .option('format', {
        type: 'string',
        describe:
          "table (default), json (as --json), or openmetrics: gauges for Prometheus and node_exporter's textfile collector",
      })
      .example('$0 check-timeout', 'the local server, connecting like the mysql client')
      .example('$0 check-timeout -h db1 -u app -p --json', 'a remote server, asking for the password')
      .example('$0 check-timeout --expect 600', 'exit 1 when wait_timeout is not 600 s')
      .example('$0 check-timeout --targets fleet.txt --expect 600', 'every server in the file, one row each')
      .example('$0 check-timeout --format openmetrics > dbcache.prom', 'gauges for node_exporter'),
  async run(args, io, target) {
    let expect: number | undefined;
    if (args.expect !== undefined) {
      const parsed = parseDuration(String(args.expect));
      if (parsed instanceof Error) throw usageError(`--expect: ${parsed.message}`);
      expect = parsed;
    }
    const format = parseFormat(args.format, Boolean(args.json));
    const fleet = fleetRequest(args);
    if (namesAFleet(fleet) || format === 'openmetrics') {
      const { runFleetCommand } = await import('./fleet.ts');
      return runFleetCommand(
        { format, ...(expect !== undefined ? { expect } : {}), ...fleet },
        args,
        io,
        target,
      );
    }
    const { runCheckTimeout } = await import('./index.ts');
    return runCheckTimeout(
      { json: format === 'json', ...(expect !== undefined ? { expect } : {}) },
      io,
      target(),
    );
  },
};
