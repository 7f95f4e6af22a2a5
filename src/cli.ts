import yargs, { type Argv } from 'yargs';
import { reportFailure, runCommand, warnOfPasswordOnCommandLine } from './command-run.ts';
import { benchCommand } from './commands/bench/command.ts';
import { checkTimeoutCommand } from './commands/check-timeout/command.ts';
import { generateCommand } from './commands/generate/command.ts';
import { patchConfigCommand } from './commands/patch-config/command.ts';
import { probeIdleCommand } from './commands/probe-idle/command.ts';
import { setTimeoutCommand } from './commands/set-timeout/command.ts';
import type { CommandSpec } from './commands/spec.ts';
import { watchConnectionsCommand } from './commands/watch-connections/command.ts';
import { normalizeArgv, wordAfterBarePassword } from './connection/argv.ts';
import { connectionOptions } from './connection/options.ts';
import { type IO, processIO } from './io.ts';
import { usageError } from './output/errors.ts';
import { ExitCode } from './output/exit-codes.ts';
import { closest } from './output/suggest.ts';
import { widthOf } from './output/width.ts';

/** Written in by scripts/build.mjs from package.json; tests that import this file run unbundled. */
declare const DBCACHE_VERSION: string;

export const COMMANDS: CommandSpec[] = [
  checkTimeoutCommand,
  setTimeoutCommand,
  benchCommand,
  generateCommand,
  watchConnectionsCommand,
  patchConfigCommand,
  probeIdleCommand,
];

/** yargs' help layout slows down with the square of its width: past this no line is read anyway. */
const HELP_MAX_WIDTH = 500;

/**
 * yargs' complaint as one plain sentence. A word after a bare -p that yargs did not expect is
 * most likely a password typed with a space: say so without repeating it. An unknown flag
 * gets the nearest known one (yargs suggests only commands).
 */
function usageMessage(message: string, argv: readonly string[], knownFlags: readonly string[] = []): string {
  const afterPassword = wordAfterBarePassword(argv);
  if (afterPassword?.flag === '-p' && message.includes(afterPassword.word)) {
    return '-p takes no separate value: type -pPASSWORD with no space, or give -p alone and answer the prompt. (The word after -p is not shown, since it may be a password.)';
  }
  if (afterPassword?.flag === '--password' && message.includes(afterPassword.word)) {
    return '--password takes no separate value: type --password=PASSWORD, or give --password alone and answer the prompt. As in the mysql client, --password alone means "ask me", so the next word is never taken as the password. (That word is not shown, since it may be a password.)';
  }
  const command = argv.find((arg) => !arg.startsWith('-'));
  if (message.startsWith('Not enough non-option arguments') && command) {
    return `dbcache ${command} is missing its argument. Run dbcache ${command} --help for usage.`;
  }
  const sentence = message.replace(/\s+/g, ' ').trim().replace(/:$/, '');
  const ending = /[.!?]$/.test(sentence) ? '' : '.';
  return `${sentence}${ending}${flagSuggestion(message, argv, knownFlags)} Run dbcache --help for usage.`;
}

/** ` Did you mean --json?` for `--jsn`: only for what was typed as a long flag. */
function flagSuggestion(message: string, argv: readonly string[], knownFlags: readonly string[]): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(message.trim())?.[1];
  if (unknown === undefined) return '';
  const typed = new Set(argv.filter((arg) => arg.startsWith('--')).map((arg) => arg.slice(2).split('=')[0]));
  const hints = unknown
    .split(', ')
    .filter((name) => typed.has(name))
    .map((name) => [name, closest(name, knownFlags)] as const)
    .filter((pair): pair is readonly [string, string] => pair[1] !== undefined)
    .map(([name, flag]) => `--${flag}${typed.size > 1 ? ` for --${name}` : ''}`);
  return hints.length > 0 ? ` Did you mean ${hints.join(', ')}?` : '';
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

/** What yargs knows of the options in effect: public since yargs 3, though not in its type definitions. */
interface DeclaredOptions {
  key: Record<string, unknown>;
  array: string[];
  boolean: string[];
  number: string[];
  alias: Record<string, string[]>;
  choices: Record<string, unknown[]>;
}
const declaredOptions = (parser: Argv): DeclaredOptions =>
  (parser as unknown as { getOptions(): DeclaredOptions }).getOptions();

const CONNECTION_FLAGS = Object.keys(connectionOptions());

/** The names a command's usage gives its positional arguments (`generate [target]`). */
const positionalsOf = (spec: CommandSpec): string[] =>
  [...spec.command.matchAll(/[<[]([\w-]+)[>\]]/g)].map((match) => match[1] as string);

/** The options a command declares itself, by their long names: not the connection flags, help or version. */
export function ownOptions(parser: Argv, spec: CommandSpec): string[] {
  const declared = declaredOptions(parser);
  const aliases = new Set(Object.values(declared.alias).flat());
  const shared = new Set([...CONNECTION_FLAGS, 'help', 'version', ...positionalsOf(spec)]);
  return Object.keys(declared.key).filter((key) => !shared.has(key) && !aliases.has(key));
}

/**
 * Options meant to be given more than once, each adding a value (`--filter-user a --filter-user
 * b`). Every other option means its last value, whatever the command.
 */
function repeatableOptions(parser: Argv): string[] {
  return declaredOptions(parser).array;
}

/** Every option a command takes (its own and the connection flags), as yargs has them: for tests that must cover them all. */
export function commandOptions(spec: CommandSpec): Array<{
  name: string;
  type: 'string' | 'boolean' | 'number';
  repeatable: boolean;
  choices: string[] | undefined;
  /** One-letter and other alternative names (`-h` for --host). */
  aliases: string[];
}> {
  const parser = spec.builder(yargs([]).options(connectionOptions()));
  const declared = declaredOptions(parser);
  return [...ownOptions(parser, spec), ...CONNECTION_FLAGS].map((name) => ({
    name,
    type: declared.boolean.includes(name) ? 'boolean' : declared.number.includes(name) ? 'number' : 'string',
    repeatable: declared.array.includes(name),
    choices: declared.choices[name]?.map(String),
    aliases: declared.alias[name] ?? [],
  }));
}

const lastValue = (value: unknown) => (Array.isArray(value) ? value.at(-1) : value);

/**
 * A command's yargs setup with the rules every command shares: a repeated option means its last
 * value, as the mysql client and the connection flags read theirs (`--flavor mysql --flavor
 * mysql` is mysql, `--file A --file B` is B), unless it is declared a list; and in --help the
 * command's own options come first, before the connection flags every command shares.
 */
function withSharedRules(spec: CommandSpec, seen: (flags: string[]) => void): (parser: Argv) => Argv {
  return (parser) => {
    const built = spec.builder(parser);
    const own = ownOptions(built, spec);
    const repeatable = new Set(repeatableOptions(built));
    for (const key of own) if (!repeatable.has(key)) built.coerce(key, lastValue);
    built.group(own, 'Options:');
    seen(own);
    return built;
  };
}

export async function main(
  argv: readonly string[],
  io: IO = processIO(),
  commands: readonly CommandSpec[] = COMMANDS,
): Promise<number> {
  let exitCode: number = ExitCode.ok;
  // The flags a typo is compared with: the chosen command's own, once its builder has run.
  let knownFlags = [...CONNECTION_FLAGS, 'help', 'version'];
  try {
    warnOfPasswordOnCommandLine(argv, io);
    let parser = yargs(normalizeArgv(argv))
      .scriptName('dbcache')
      .usage(
        '$0 <command> [options]\n\nMake MySQL/MariaDB wait_timeout and your application connection pools agree, and prove it.',
      )
      .parserConfiguration({ 'boolean-negation': false })
      .options(connectionOptions())
      .completion(
        'completion',
        'Print a bash or zsh completion script (zsh when $SHELL is zsh): dbcache completion >> ~/.bashrc',
      )
      .demandCommand(1, 'Choose a command.')
      .recommendCommands()
      .strict()
      .help('help')
      .version(typeof DBCACHE_VERSION === 'string' ? DBCACHE_VERSION : 'development')
      .wrap(Math.min(widthOf(io.stdout, io.env), HELP_MAX_WIDTH))
      .epilog(
        `Exit codes: ${Object.entries(ExitCode)
          .map(([name, code]) => `${code} ${name.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`)}`)
          .join(
            ', ',
          )}. DBCACHE_DEBUG=1 adds stack traces to errors. Manual: man dbcache, man dbcache-<command>.`,
      )
      .exitProcess(false)
      .fail((message, err) => {
        if (err) throw err;
        throw usageError(usageMessage(message, argv, knownFlags));
      });
    for (const spec of commands) {
      const builder = withSharedRules(spec, (own) => {
        knownFlags = [...own, ...knownFlags];
      });
      parser = parser.command(spec.command, spec.describe, builder, async (args) => {
        exitCode = await runCommand(spec, args, argv, io);
      });
    }
    skipHelpPreRendering(parser);
    await parser.parseAsync();
  } catch (err) {
    exitCode = reportFailure(err, io);
  }
  return exitCode;
}
