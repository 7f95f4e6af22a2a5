import yargs, { type Argv, type Options } from 'yargs';
import { benchCommand } from './commands/bench/command.ts';
import { checkTimeoutCommand } from './commands/check-timeout/command.ts';
import { generateCommand } from './commands/generate/command.ts';
import { patchConfigCommand } from './commands/patch-config/command.ts';
import { probeIdleCommand } from './commands/probe-idle/command.ts';
import { setTimeoutCommand } from './commands/set-timeout/command.ts';
import type { CommandSpec } from './commands/spec.ts';
import { watchConnectionsCommand } from './commands/watch-connections/command.ts';
import { normalizeArgv, passwordOnCommandLine, wordAfterBarePassword } from './connection/argv.ts';
import { SSL_MODES } from './connection/settings.ts';
import type { ConnectionFlags } from './connection/sources.ts';
import { resolveTarget, type ServerTarget } from './connection/target.ts';
import { type IO, processIO } from './io.ts';
import { describeFailure, usageError } from './output/errors.ts';
import { ExitCode } from './output/exit-codes.ts';

/** Written in by scripts/build.mjs from package.json; tests that import this file run unbundled. */
declare const DBCACHE_VERSION: string;

const COMMANDS: CommandSpec[] = [
  checkTimeoutCommand,
  setTimeoutCommand,
  benchCommand,
  generateCommand,
  watchConnectionsCommand,
  patchConfigCommand,
  probeIdleCommand,
];

const CONNECTION =
  'Connection (as the mysql client; also --url, DATABASE_URL, MYSQL_HOST, MYSQL_TCP_PORT, MYSQL_UNIX_PORT, MYSQL_PWD, option files):';

/**
 * yargs' complaint as one plain sentence. A word after a bare -p that yargs did not expect is
 * most likely a password typed with a space: say so without repeating it.
 */
function usageMessage(message: string, argv: readonly string[]): string {
  const afterPassword = wordAfterBarePassword(argv);
  if (afterPassword !== undefined && message.includes(afterPassword)) {
    return '-p takes no separate value: type -pPASSWORD with no space, or give -p alone and answer the prompt. (The word after -p is not shown, since it may be a password.)';
  }
  const command = argv.find((arg) => !arg.startsWith('-'));
  if (message.startsWith('Not enough non-option arguments') && command) {
    return `dbcache ${command} is missing its argument. Run dbcache ${command} --help for usage.`;
  }
  const sentence = message.replace(/\s+/g, ' ').trim().replace(/:$/, '');
  const ending = /[.!?]$/.test(sentence) ? '' : '.';
  return `${sentence}${ending} Run dbcache --help for usage.`;
}

/**
 * yargs 17 renders a command's whole help text before running it, in case the handler asks for
 * it later; ours never do, and the rendering is a tenth of check-timeout's run time. `--help`
 * and usage errors render help as usual. (An internal method: if a yargs release renames it,
 * this does nothing and help is simply rendered as before.)
 */
function skipHelpPreRendering(parser: Argv): void {
  const usage = (
    parser as unknown as { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?: unknown } } }
  )
    .getInternalMethods?.()
    .getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/** The mysql client's connection flags, shared by every command. */
function connectionOptions(): Record<string, Options> {
  const options: Record<string, Options> = {
    host: { alias: 'h', type: 'string', describe: 'Server host; a path starting with / is a socket' },
    port: { alias: 'P', type: 'string', describe: 'TCP port (default 3306)' },
    user: { alias: 'u', type: 'string', describe: 'User name (default: your login name)' },
    password: {
      type: 'string',
      describe: 'Password; give -p alone to be asked without echo (-pSECRET works but others can see it)',
    },
    'password-prompt': { type: 'boolean', hidden: true },
    socket: { alias: 'S', type: 'string', describe: 'Unix socket file' },
    database: { alias: 'D', type: 'string', describe: 'Default database' },
    protocol: { type: 'string', describe: 'TCP or SOCKET: force one' },
    'connect-timeout': { type: 'string', describe: 'Seconds to wait for the connection (default 10)' },
    'ssl-mode': { type: 'string', describe: `TLS: ${SSL_MODES.join(', ')} (default PREFERRED)` },
    'ssl-ca': { type: 'string', describe: 'CA certificate file (PEM)' },
    'ssl-cert': { type: 'string', describe: 'Client certificate file (PEM)' },
    'ssl-key': { type: 'string', describe: 'Client key file (PEM)' },
    url: { type: 'string', describe: 'mysql://user:password@host:port/database?ssl-mode=REQUIRED' },
    'defaults-file': { type: 'string', describe: 'Read only this option file' },
    'defaults-extra-file': { type: 'string', describe: 'Read this option file after the global ones' },
    'no-defaults': { type: 'boolean', describe: 'Read no option files' },
  };
  for (const option of Object.values(options)) {
    option.group = CONNECTION;
    // A repeated flag means its last value, as in the mysql client (`-u root -u app` is app).
    if (option.type === 'string')
      option.coerce = (value: unknown) => (Array.isArray(value) ? value.at(-1) : value);
  }
  return options;
}

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
      .options(connectionOptions())
      .demandCommand(1, 'Choose a command.')
      .recommendCommands()
      .strict()
      .help('help')
      .version(typeof DBCACHE_VERSION === 'string' ? DBCACHE_VERSION : 'development')
      .wrap(Math.min(110, process.stdout.columns ?? 100))
      .epilog(
        `Exit codes: ${Object.entries(ExitCode)
          .map(([name, code]) => `${code} ${name.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`)}`)
          .join(', ')}. DBCACHE_DEBUG=1 adds stack traces to errors. More in the README.`,
      )
      .exitProcess(false)
      .fail((message, err) => {
        if (err) throw err;
        throw usageError(usageMessage(message, argv));
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
    skipHelpPreRendering(parser);
    await parser.parseAsync();
  } catch (err) {
    const failure = describeFailure(err, debug);
    io.stderr.write(`${failure.text}\n`);
    exitCode = failure.exitCode;
  }
  return exitCode;
}
