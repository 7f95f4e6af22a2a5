/**
 * `dbcache --help` and `dbcache <command> --help` given again from the user's cache: yargs'
 * own rendering, recorded the first time (src/start.ts) and replayed byte for byte by the loader
 * before anything else is loaded (src/startup/entry.ts; issue 15: loading yargs and building its
 * parser for help was most of what such a run cost). The text is valid for the code that made
 * it (the loader keys it on every group's hash) and for what it depends on besides: the command
 * line, the width it was wrapped to, and the locale yargs translates its headings into.
 */
import { format } from 'node:util';
import type { IO } from './io.ts';
import { widthOf } from './output/width.ts';

/** The environment variables yargs reads its locale from (y18n), in its order. */
const LOCALE_VARIABLES = ['LC_ALL', 'LC_MESSAGES', 'LANG', 'LANGUAGE'] as const;

/** The key of a help request (`--help`, `<command> --help`), or undefined for any other command line. */
export function helpKey(argv: readonly string[], io: Pick<IO, 'stdout' | 'env'>): string | undefined {
  const plain = argv.length === 1 ? argv[0] === '--help' : argv.length === 2 && argv[1] === '--help';
  if (!plain || (argv.length === 2 && !/^[a-z][a-z-]*$/.test(argv[0] as string))) return undefined;
  return JSON.stringify([
    argv,
    widthOf(io.stdout, io.env),
    io.stdout.isTTY === true,
    LOCALE_VARIABLES.map((name) => io.env[name] ?? null),
  ]);
}

/**
 * Runs `cli` (the yargs CLI printing help) and hands `save` what it printed, when that was help
 * and nothing else: exit 0, strings only on standard output through console.log (as yargs
 * prints), nothing on standard error.
 */
export async function recordHelp(cli: () => Promise<number>, save: (text: string) => void): Promise<number> {
  const { log, error } = console;
  let text = '';
  let plain = true;
  console.log = (...parts: unknown[]) => {
    if (parts.some((part) => typeof part !== 'string')) plain = false;
    text += `${format(...parts)}\n`;
    log.apply(console, parts);
  };
  console.error = (...parts: unknown[]) => {
    plain = false;
    error.apply(console, parts);
  };
  let code: number;
  try {
    code = await cli();
  } finally {
    console.log = log;
    console.error = error;
  }
  if (code === 0 && plain && text !== '') save(text);
  return code;
}
