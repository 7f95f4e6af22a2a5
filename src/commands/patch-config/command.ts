import { usageError } from '../../output/errors.ts';
import type { CommandSpec } from '../spec.ts';
import { parseSettingValue } from './request.ts';

/** The yargs side of `patch-config`: flags and help only; the work is loaded when chosen. */
export const patchConfigCommand: CommandSpec = {
  command: 'patch-config',
  describe:
    "Write wait_timeout (and interactive_timeout) into the server's option file where it takes effect, changing nothing else",
  builder: (yargs) =>
    yargs
      .option('wait-timeout', {
        type: 'string',
        describe: 'The wait_timeout the server gets at its next start: seconds (120) or 2m, 1h',
      })
      .option('interactive-timeout', {
        type: 'string',
        describe: 'Also set interactive_timeout (what the mysql shell gets)',
      })
      .option('file', {
        type: 'string',
        describe:
          'The option file the server reads (as with its --defaults-file), and what it includes; default: the files the server reads by default',
      })
      .option('list', {
        type: 'boolean',
        default: false,
        describe: 'Show the files the server reads, in order, and where wait_timeout is set; change nothing',
      })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'Print the change as a unified diff (cd / && patch -p1 applies it) and write nothing',
      })
      .option('yes', {
        type: 'boolean',
        alias: 'y',
        default: false,
        describe: 'Do not ask before writing (dbcache never asks when stdin is not a terminal)',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'Allow a value under 10 s, and adding a [mysqld] group to what looks like a client file',
      })
      .option('flavor', {
        type: 'string',
        choices: ['mariadb', 'mysql'],
        describe: 'Which server reads the files (default: ask the local server, or its program)',
      })
      .option('server-version', {
        type: 'string',
        describe: 'Its version, e.g. 10.11 or 8.0: decides whether [mysqld-8.0], [mariadb-10.11] count',
      })
      .option('offline', {
        type: 'boolean',
        default: false,
        describe: 'Do not connect to the local server to compare with what it runs',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print one JSON document (schema: man dbcache-patch-config)',
      })
      .example('$0 patch-config --list', 'which files the server reads, and where wait_timeout is set')
      .example('$0 patch-config --wait-timeout 10m --dry-run', 'show the edit as a diff')
      .example('$0 patch-config --wait-timeout 10m --yes', 'write it without asking')
      .example('$0 patch-config --wait-timeout 10m --file my.ini', 'the server is started with this file'),
  async run(args, io, target) {
    const list = Boolean(args.list);
    const force = Boolean(args.force);
    const waitTimeout = parseSettingValue('wait_timeout', args['wait-timeout'], force);
    const interactiveTimeout = parseSettingValue('interactive_timeout', args['interactive-timeout'], force);
    if (list && (waitTimeout !== undefined || interactiveTimeout !== undefined)) {
      throw usageError('--list only shows the files; leave out --wait-timeout and --interactive-timeout.');
    }
    if (!list && waitTimeout === undefined) {
      throw usageError(
        'Give the value to write with --wait-timeout (e.g. --wait-timeout 600), or --list to see the files.',
      );
    }
    const { runPatchConfig } = await import('./index.ts');
    return runPatchConfig(
      {
        list,
        ...(waitTimeout !== undefined ? { waitTimeout } : {}),
        ...(interactiveTimeout !== undefined ? { interactiveTimeout } : {}),
        ...(args.file !== undefined ? { file: String(args.file) } : {}),
        ...(args.flavor !== undefined ? { flavor: args.flavor as 'mariadb' | 'mysql' } : {}),
        ...(args['server-version'] !== undefined ? { serverVersion: String(args['server-version']) } : {}),
        dryRun: Boolean(args['dry-run']),
        yes: Boolean(args.yes),
        force,
        offline: Boolean(args.offline),
        json: Boolean(args.json),
      },
      io,
      target,
    );
  },
};
