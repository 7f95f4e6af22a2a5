import type { ConnectionFlags } from '../../connection/sources.ts';
import { countFlag } from '../../count.ts';
import { MAX_TIMEOUT, MIN_TIMEOUT, parseDuration } from '../../duration.ts';
import { parseFrameworkVersion } from '../../generate/context.ts';
import { usageError } from '../../output/errors.ts';
import type { CommandSpec } from '../spec.ts';

/** More connections than any server's max_connections default allows many times over: a typo. */
const MAX_POOL_SIZE = 10_000;

/** The yargs side of `generate`: flags and help only; the targets are loaded when chosen. */
export const generateCommand: CommandSpec = {
  command: 'generate [target]',
  describe: "Print connection-pool settings for your framework, derived from the server's real wait_timeout",
  builder: (yargs) =>
    yargs
      .positional('target', {
        type: 'string',
        describe:
          'django, django-pool, sqlalchemy, mysql2, mariadb, knex, sequelize, typeorm, prisma, go, hikaricp, rails (see --list)',
      })
      .option('list', { type: 'boolean', default: false, describe: 'Name the targets with one line each' })
      .option('timeout', {
        type: 'string',
        describe: 'Work offline from this wait_timeout (seconds, or 10m, 1h) instead of asking the server',
      })
      .option('pool-size', {
        type: 'string',
        describe: "Connections per pool (default: each framework's own default)",
      })
      .option('framework-version', {
        type: 'string',
        describe:
          'The version of the framework or library (Rails 6.1, TypeORM 0.3, mariadb 3.4, HikariCP 2.7, Prisma 6, Django 4.2, knex 3.2); without it the code is for the current release line, and says which',
      })
      .option('password-env', {
        type: 'string',
        default: 'DB_PASSWORD',
        describe:
          'The environment variable the generated code reads the password from (it is never written out)',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print the derived numbers and settings as JSON (every target when none is named)',
      })
      .option('out', {
        type: 'string',
        describe: 'Write to this file (atomically) instead of standard output',
      })
      .option('force', { type: 'boolean', default: false, describe: 'With --out: replace an existing file' })
      .example('$0 generate django -h db1 -u app -p', "settings.py DATABASES for the server's wait_timeout")
      .example(
        '$0 generate mysql2 --out src/db.mjs',
        'an ES module exporting a mysql2 pool, written to a file',
      )
      .example(
        '$0 generate rails --timeout 600 --framework-version 8.1',
        'offline, for a server with wait_timeout 600 s',
      )
      .example('$0 generate --json --timeout 28800', 'the numbers for every target, for your own templates')
      .example('$0 generate --list', 'the targets'),
  async run(args, io, target) {
    let timeout: number | undefined;
    if (args.timeout !== undefined) {
      const parsed = parseDuration(String(args.timeout));
      if (parsed instanceof Error) throw usageError(`--timeout: ${parsed.message}`);
      if (parsed < MIN_TIMEOUT || parsed > MAX_TIMEOUT) {
        throw usageError(
          `--timeout: wait_timeout ranges from ${MIN_TIMEOUT} to ${MAX_TIMEOUT} seconds; ${parsed} is outside it.`,
        );
      }
      timeout = parsed;
    }
    const poolSize =
      args.poolSize === undefined ? undefined : countFlag('pool-size', args.poolSize, MAX_POOL_SIZE);
    const frameworkVersion =
      args.frameworkVersion === undefined ? undefined : parseFrameworkVersion(String(args.frameworkVersion));
    if (frameworkVersion instanceof Error)
      throw usageError(`--framework-version: ${frameworkVersion.message}`);
    const passwordEnv = String(args.passwordEnv ?? 'DB_PASSWORD');
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(passwordEnv)) {
      throw usageError(
        `--password-env: "${passwordEnv}" is not an environment variable name (letters, digits and _, not starting with a digit).`,
      );
    }
    if (args.force && args.out === undefined) throw usageError('--force only makes sense with --out FILE.');
    const { runGenerate } = await import('./index.ts');
    return runGenerate(
      {
        target: args.target === undefined ? undefined : String(args.target),
        list: Boolean(args.list),
        json: Boolean(args.json),
        ...(timeout !== undefined ? { timeout } : {}),
        ...(poolSize !== undefined ? { poolSize } : {}),
        ...(frameworkVersion !== undefined ? { frameworkVersion } : {}),
        passwordEnv,
        ...(args.out !== undefined ? { out: String(args.out) } : {}),
        force: Boolean(args.force),
        flags: args as ConnectionFlags,
      },
      io,
      target,
    );
  },
};
