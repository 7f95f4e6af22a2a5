/**
 * A clean `check-timeout` command line, read without yargs (issue 15: building yargs' parser is
 * about a fifth of a one-shot run). Clean means: the command's name, then only options it
 * declares or the connection flags, each in a spelling whose meaning is plain (`--name value`,
 * `--name=value`, `--camelName`, a one-letter alias `-h value`, the glued `-hdb1`, `-p`, `-pSECRET`
 * as normalizeArgv rewrites them), booleans bare, values neither empty nor quoted nor starting
 * with `-` when given as a separate word. Anything else (`--help`, `--version`, a typo, a missing
 * value, a positional word, `--`) is left to yargs, which prints the help or the error it
 * always printed: this path never prints help or a usage error of its own, so those stay
 * byte-identical by construction.
 *
 * The options come from the command's own builder, run against a recorder instead of yargs; a
 * builder that calls anything the recorder does not model (choices, positionals, checks, ...)
 * makes the whole command yargs-only. The arguments built here are the ones yargs builds, key for
 * key (test/fast-path.test.ts compares them over every option), and the command runs through the
 * same `runCommand` as under yargs.
 */

import { reportFailure, runCommand, warnOfPasswordOnCommandLine } from './command-run.ts';
import { checkTimeoutCommand } from './commands/check-timeout/command.ts';
import type { CommandSpec } from './commands/spec.ts';
import { normalizeArgv } from './connection/argv.ts';
import { connectionOptions } from './connection/options.ts';
import type { IO } from './io.ts';

/** The commands a clean command line may run without yargs. */
export const FAST_COMMANDS: readonly CommandSpec[] = [checkTimeoutCommand];

type Coerce = (value: unknown) => unknown;

interface Declared {
  name: string;
  type: 'string' | 'boolean';
  array: boolean;
  aliases: string[];
  default?: unknown;
  coerce?: Coerce;
  /** Declared by the command itself (not a connection flag): a repeated value means the last, as cli.ts rules. */
  own: boolean;
}

/** The option settings the recorder understands; any other makes the command yargs-only. */
const UNDERSTOOD = new Set(['type', 'alias', 'default', 'describe', 'array', 'group', 'hidden', 'coerce']);
/** Builder calls that add nothing the parse depends on. */
const HARMLESS = new Set(['example', 'group', 'epilog', 'usage']);

/** What a command's builder declares, or undefined when it uses anything this path does not model. */
function declarations(spec: CommandSpec): Map<string, Declared> | undefined {
  const options = new Map<string, Declared>();
  let understood = true;
  let own = false;
  // As yargs: declaring an option again (check-timeout's --url, a connection flag made a list)
  // adds to what was declared; a coerce function is replaced only by another.
  const declare = (name: string, settings: Record<string, unknown>) => {
    if (Object.keys(settings).some((key) => !UNDERSTOOD.has(key))) understood = false;
    const before = options.get(name);
    const type = settings.type ?? before?.type ?? 'string';
    if ((type !== 'string' && type !== 'boolean') || (before && before.type !== type)) understood = false;
    const aliases = settings.alias === undefined ? [] : [settings.alias].flat();
    if (!aliases.every((alias) => typeof alias === 'string' && /^[A-Za-z]$/.test(alias))) understood = false;
    if (name.includes('.')) understood = false;
    const option: Declared = {
      name,
      type: type as Declared['type'],
      array: settings.array === true || before?.array === true,
      aliases: [...new Set([...(before?.aliases ?? []), ...(aliases as string[])])],
      own: before?.own ?? own,
    };
    if ('default' in settings) option.default = settings.default;
    else if (before && 'default' in before) option.default = before.default;
    const coerce = typeof settings.coerce === 'function' ? (settings.coerce as Coerce) : before?.coerce;
    if (coerce) option.coerce = coerce;
    options.set(name, option);
  };
  for (const [name, settings] of Object.entries(connectionOptions()))
    declare(name, settings as Record<string, unknown>);
  own = true;
  const recorder: unknown = new Proxy(
    {},
    {
      get: (_, method) => {
        if (method === 'option')
          return (name: string, settings: Record<string, unknown>) => {
            declare(name, settings);
            return recorder;
          };
        if (method === 'coerce')
          return (name: unknown, coerce: unknown) => {
            const option = typeof name === 'string' ? options.get(name) : undefined;
            if (option && typeof coerce === 'function') option.coerce = coerce as Coerce;
            else understood = false;
            return recorder;
          };
        if (typeof method === 'string' && HARMLESS.has(method)) return () => recorder;
        understood = false;
        return () => recorder;
      },
    },
  );
  try {
    spec.builder(recorder as Parameters<CommandSpec['builder']>[0]);
  } catch {
    return undefined;
  }
  return understood ? options : undefined;
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
const lastValue = (value: unknown) => (Array.isArray(value) ? value.at(-1) : value);

/** A value whose meaning yargs might read differently (empty, quoted) is left to yargs. */
const plainValue = (value: string) => value.trim() !== '' && !/^["']/.test(value);

/**
 * The arguments yargs would hand `spec.run` for `argv`, or undefined when `argv` is not a clean
 * command line for `spec` (then yargs reads it).
 */
function fastArgs(argv: readonly string[], spec: CommandSpec): Record<string, unknown> | undefined {
  if (!/^[a-z][a-z-]*$/.test(spec.command)) return undefined;
  const words = normalizeArgv(argv);
  if (words[0] !== spec.command) return undefined;
  const options = declarations(spec);
  if (!options) return undefined;
  const long = new Map<string, Declared>();
  const short = new Map<string, Declared>();
  for (const option of options.values()) {
    long.set(option.name, option);
    long.set(camel(option.name), option);
    for (const alias of option.aliases) short.set(alias, option);
  }
  const given = new Map<Declared, unknown[]>();
  for (let i = 1; i < words.length; i++) {
    const word = words[i] as string;
    let option: Declared | undefined;
    let value: string | undefined;
    if (word.startsWith('--')) {
      const equals = word.indexOf('=');
      option = long.get(equals === -1 ? word.slice(2) : word.slice(2, equals));
      if (equals !== -1) value = word.slice(equals + 1);
    } else if (/^-[A-Za-z]$/.test(word)) {
      option = short.get(word.slice(1));
    }
    if (!option) return undefined;
    if (option.type === 'boolean') {
      if (value !== undefined) return undefined;
      given.set(option, [...(given.get(option) ?? []), true]);
      continue;
    }
    if (value === undefined) {
      value = words[++i];
      if (value === undefined || value.startsWith('-')) return undefined;
    }
    if (!plainValue(value)) return undefined;
    given.set(option, [...(given.get(option) ?? []), value]);
  }

  const args: Record<string, unknown> = { _: [spec.command] };
  const set = (option: Declared, value: unknown) => {
    for (const key of new Set([option.name, camel(option.name), ...option.aliases])) args[key] = value;
  };
  for (const option of options.values()) {
    const values = given.get(option);
    if (values === undefined) {
      if ('default' in option) set(option, option.default);
      continue;
    }
    // As yargs-parser: a repeated boolean is its last; a repeated value, or any of a list, an array.
    let value: unknown = option.array
      ? values
      : option.type === 'boolean' || values.length === 1
        ? values.at(-1)
        : values;
    // cli.ts gives every option of the command's own that is not a list the last value.
    const coerce = option.own && !option.array ? lastValue : option.coerce;
    if (coerce) value = coerce(value);
    set(option, value);
  }
  args.$0 = 'dbcache';
  return args;
}

/**
 * Runs a clean command line of one of `commands` without loading yargs, and returns its exit
 * code; undefined when the line is not clean, for yargs to read.
 */
export async function runFast(
  argv: readonly string[],
  io: IO,
  commands: readonly CommandSpec[] = FAST_COMMANDS,
): Promise<number | undefined> {
  const spec = commands.find((candidate) => candidate.command === argv[0]);
  const args = spec && fastArgs(argv, spec);
  if (!spec || !args) return undefined;
  try {
    warnOfPasswordOnCommandLine(argv, io);
    return await runCommand(spec, args, argv, io);
  } catch (err) {
    return reportFailure(err, io);
  }
}
