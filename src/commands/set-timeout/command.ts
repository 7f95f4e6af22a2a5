import type { CommandSpec } from '../spec.ts';
import { parseTimeoutRequest } from './request.ts';

/** The yargs side of `set-timeout`: flags and help only; the work is loaded when chosen. */
export const setTimeoutCommand: CommandSpec = {
  command: 'set-timeout <seconds>',
  describe:
    "Change the running server's wait_timeout (SET GLOBAL), read it back, and say what that does and does not change",
  builder: (yargs) =>
    yargs
      .positional('seconds', {
        type: 'string',
        describe: 'The new wait_timeout: whole seconds (120) or with a unit (120s, 2m, 1h); 1 s to 365 days',
      })
      .option('interactive', {
        type: 'boolean',
        default: false,
        describe: 'Set interactive_timeout (what the mysql shell gets) to the same value; all or nothing',
      })
      .option('persist', {
        type: 'boolean',
        default: false,
        describe:
          'MySQL 8+: SET PERSIST, so the value survives a restart (on MariaDB use dbcache patch-config)',
      })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'Print the exact statements and change nothing',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'Allow a value under 10 s, which makes pooled applications reconnect constantly',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print one JSON document (schema in the README)',
      })
      .example(
        '$0 set-timeout 600',
        'idle connections are closed after 10 minutes, from the next connection on',
      )
      .example('$0 set-timeout 10m --interactive --dry-run', 'show the two statements without running them')
      .example(
        '$0 set-timeout 1h --persist -h db1 -u admin -p',
        'MySQL 8: change it and keep it across restarts',
      )
      .example('$0 set-timeout 600 --json', 'before, after, statements and warnings as JSON'),
  async run(args, io, target) {
    // Before target(): a bad value is reported as such even when the connection settings are broken too.
    const seconds = parseTimeoutRequest(String(args.seconds), Boolean(args.force));
    if (seconds instanceof Error) throw seconds;
    const { runSetTimeout } = await import('./index.ts');
    return runSetTimeout(
      {
        seconds,
        interactive: Boolean(args.interactive),
        persist: Boolean(args.persist),
        dryRun: Boolean(args['dry-run']),
        force: Boolean(args.force),
        json: Boolean(args.json),
      },
      io,
      target(),
    );
  },
};
