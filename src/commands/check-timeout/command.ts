import { parseDuration } from '../../duration.ts';
import { usageError } from '../../output/errors.ts';
import type { CommandSpec } from '../spec.ts';

/** The yargs side of `check-timeout`: flags and help only; the work is loaded when chosen. */
export const checkTimeoutCommand: CommandSpec = {
  command: 'check-timeout',
  describe: "Read the server's wait_timeout and relatives, and explain what they mean for pooled clients",
  builder: (yargs) =>
    yargs
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print one JSON document (schema in the README)',
      })
      .option('expect', {
        type: 'string',
        describe:
          'Exit 1 unless the global wait_timeout equals this (seconds, or 2m, 1h): for cron and monitoring',
      })
      .example('$0 check-timeout', 'the local server, connecting like the mysql client')
      .example('$0 check-timeout -h db1 -u app -p --json', 'a remote server, asking for the password')
      .example('$0 check-timeout --expect 600', 'exit 1 when wait_timeout is not 600 s'),
  async run(args, io, target) {
    let expect: number | undefined;
    if (args.expect !== undefined) {
      const parsed = parseDuration(String(args.expect));
      if (parsed instanceof Error) throw usageError(`--expect: ${parsed.message}`);
      expect = parsed;
    }
    const { runCheckTimeout } = await import('./index.ts');
    return runCheckTimeout(
      { json: Boolean(args.json), ...(expect !== undefined ? { expect } : {}) },
      io,
      target(),
    );
  },
};
