import yargs from 'yargs';
import { benchCommand } from './commands/bench/command.ts';
import { checkTimeoutCommand } from './commands/check-timeout/command.ts';
import { generateCommand } from './commands/generate/command.ts';
import { setTimeoutCommand } from './commands/set-timeout/command.ts';
import type { CommandSpec } from './commands/spec.ts';
import { watchConnectionsCommand } from './commands/watch-connections/command.ts';
import { normalizeArgv, passwordOnCommandLine } from './connection/argv.ts';
import { SSL_MODES } from './connection/settings.ts';
import type { ConnectionFlags } from './connection/sources.ts';
import { resolveTarget, type ServerTarget } from './connection/target.ts';
import { type IO, processIO } from './io.ts';
import { describeFailure, usageError } from './output/errors.ts';
import { ExitCode } from './output/exit-codes.ts';

const COMMANDS: CommandSpec[] = [
  checkTimeoutCommand,
  setTimeoutCommand,
  benchCommand,
  generateCommand,
  watchConnectionsCommand,
];

const CONNECTION =
  'Connection (as the mysql client; also --url, DATABASE_URL, MYSQL_HOST, MYSQL_TCP_PORT, MYSQL_UNIX_PORT, MYSQL_PWD, option files):';

export async function main(argv: readonly string[], io: IO = processIO()): Promise<number> {
  const debug = Boolean(io.env.DBCACHE_DEBUG);
  let exitCode: number = ExitCode.ok;
  try {
    if (passwordOnCommandLine(argv)) {
      io.stderr.write(
        'dbcache: warning: a password on the command line can be seen by other users of this machine; prefer -p alone (prompt), MYSQL_PWD or an option file.\n',
      );
    }
    let parser = yargs(normalizeArgv(argv))
      .scriptName('dbcache')
      .usage(
        '$0 <command> [options]\n\nMake MySQL/MariaDB wait_timeout and your application connection pools agree, and prove it.',
      )
      .parserConfiguration({ 'boolean-negation': false })
      .options({
        host: {
          alias: 'h',
          type: 'string',
          group: CONNECTION,
          describe: 'Server host; a path starting with / is a socket',
        },
        port: { alias: 'P', type: 'string', group: CONNECTION, describe: 'TCP port (default 3306)' },
        user: {
          alias: 'u',
          type: 'string',
          group: CONNECTION,
          describe: 'User name (default: your login name)',
        },
        password: {
          type: 'string',
          group: CONNECTION,
          describe: 'Password; give -p alone to be asked without echo (-pSECRET works but others can see it)',
        },
        'password-prompt': { type: 'boolean', hidden: true },
        socket: { alias: 'S', type: 'string', group: CONNECTION, describe: 'Unix socket file' },
        database: { alias: 'D', type: 'string', group: CONNECTION, describe: 'Default database' },
        protocol: {
          type: 'string',
          choices: ['TCP', 'SOCKET', 'tcp', 'socket'],
          group: CONNECTION,
          describe: 'Force TCP or socket',
        },
        'connect-timeout': {
          type: 'string',
          group: CONNECTION,
          describe: 'Seconds to wait for the connection (default 10)',
        },
        'ssl-mode': {
          type: 'string',
          group: CONNECTION,
          describe: `TLS: ${SSL_MODES.join(', ')} (default PREFERRED)`,
        },
        'ssl-ca': { type: 'string', group: CONNECTION, describe: 'CA certificate file (PEM)' },
        'ssl-cert': { type: 'string', group: CONNECTION, describe: 'Client certificate file (PEM)' },
        'ssl-key': { type: 'string', group: CONNECTION, describe: 'Client key file (PEM)' },
        url: {
          type: 'string',
          group: CONNECTION,
          describe: 'mysql://user:password@host:port/database?ssl-mode=REQUIRED',
        },
        'defaults-file': { type: 'string', group: CONNECTION, describe: 'Read only this option file' },
        'defaults-extra-file': {
          type: 'string',
          group: CONNECTION,
          describe: 'Read this option file after the global ones',
        },
        'no-defaults': { type: 'boolean', group: CONNECTION, describe: 'Read no option files' },
      })
      .demandCommand(1, 'Choose a command.')
      .recommendCommands()
      .strict()
      .help('help')
      .version()
      .wrap(Math.min(110, process.stdout.columns ?? 100))
      .epilog(
        `Exit codes: ${Object.entries(ExitCode)
          .map(([name, code]) => `${code} ${name}`)
          .join(', ')}. DBCACHE_DEBUG=1 adds stack traces to errors. More in the README.`,
      )
      .exitProcess(false)
      .fail((message, err) => {
        throw err ?? usageError(`${message} Run dbcache --help for usage.`);
      });
    for (const spec of COMMANDS) {
      parser = parser.command(spec.command, spec.describe, spec.builder, async (args) => {
        let target: ServerTarget | undefined;
        exitCode = await spec.run(args, io, () => {
          target ??= resolveTarget(args as ConnectionFlags, io);
          return target;
        });
      });
    }
    await parser.parseAsync();
  } catch (err) {
    const failure = describeFailure(err, debug);
    io.stderr.write(`${failure.text}\n`);
    exitCode = failure.exitCode;
  }
  return exitCode;
}
