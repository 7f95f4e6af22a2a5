/**
 * Issue 15: the fast path that reads a clean check-timeout command line without yargs must run
 * the command exactly as the yargs path does. Both paths are driven with a spy command in place
 * of check-timeout's `run`, and what each hands it (every key), prints and returns is compared:
 * for every option of the command (its own and the connection flags, from its yargs
 * definition, so a new option is covered without touching this file), in every spelling, alone,
 * repeated, beside --json, and all at once. Command lines the fast path does not take (help, a
 * typo, a missing or empty value, ...) must reach yargs untouched.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { commandOptions, main as yargsMain } from '../src/cli.ts';
import { checkTimeoutCommand } from '../src/commands/check-timeout/command.ts';
import type { CommandSpec } from '../src/commands/spec.ts';
import { FAST_COMMANDS, runFast } from '../src/fast-path.ts';
import type { IO } from '../src/io.ts';
import { main } from '../src/start.ts';
import { memoryIO } from './helpers/io.ts';
import { sharedServer } from './helpers/server.ts';
import { cliFlags } from './helpers/target.ts';
import { copyOfBuild, runBuilt } from './startup/built.ts';

type Run = (argv: string[], io: IO, commands: readonly CommandSpec[]) => Promise<number | undefined>;

interface Outcome {
  code: number | undefined;
  stdout: string;
  stderr: string;
  args: Record<string, unknown> | undefined;
}

/** Runs `argv` through `path` with a spy in place of check-timeout's run (or the real command). */
async function outcome(path: Run, argv: string[], spec: CommandSpec = spy()): Promise<Outcome> {
  let args: Record<string, unknown> | undefined;
  const recording: CommandSpec = {
    ...spec,
    run: async (given, io, target) => {
      args = given;
      return spec.run(given, io, target);
    },
  };
  const { io, captured } = memoryIO();
  // yargs prints help and the version with console.log, which goes around `io`.
  const saved = { log: console.log, error: console.error };
  console.log = (...parts: unknown[]) => {
    captured.stdout += `${parts.join(' ')}\n`;
  };
  console.error = (...parts: unknown[]) => {
    captured.stderr += `${parts.join(' ')}\n`;
  };
  try {
    const code = await path(argv, io, [recording]);
    return { code, stdout: captured.stdout, stderr: captured.stderr, args };
  } finally {
    Object.assign(console, saved);
  }
}

/** check-timeout with a `run` that only says it ran, so that nothing connects. */
function spy(): CommandSpec {
  return {
    ...checkTimeoutCommand,
    run: async (_args, io) => {
      io.stdout.write('ran\n');
      return 0;
    },
  };
}

const fast: Run = (argv, io, commands) => runFast(argv, io, commands);
const viaYargs: Run = (argv, io, commands) => yargsMain(argv, io, commands);
const viaStart: Run = (argv, io, commands) => main(argv, io, commands);

/** The fast path takes `argv`, and it ends exactly as under yargs. */
async function sameAsYargs(argv: string[], spec?: CommandSpec): Promise<Outcome> {
  const quick = await outcome(fast, argv, spec);
  assert.notEqual(quick.code, undefined, `the fast path takes: ${argv.join(' ')}`);
  const slow = await outcome(viaYargs, argv, spec);
  assert.deepEqual(quick, slow, argv.join(' '));
  return quick;
}

/** The fast path leaves `argv` to yargs without a word, and the CLI ends as under yargs. */
async function leftToYargs(argv: string[]): Promise<Outcome> {
  const quick = await outcome(fast, argv);
  assert.deepEqual(quick, { code: undefined, stdout: '', stderr: '', args: undefined }, argv.join(' '));
  const whole = await outcome(viaStart, argv);
  const slow = await outcome(viaYargs, argv);
  assert.deepEqual(whole, slow, argv.join(' '));
  return whole;
}

const OPTIONS = commandOptions(checkTimeoutCommand);
const camel = (name: string) => name.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());
/** The mysql client's glued short forms that argv normalization rewrites (`-hdb1`). */
const GLUED = ['u', 'h', 'P', 'S', 'D'];

/** Every way to give `option` the value `value` (one or two words each). */
function spellings(option: (typeof OPTIONS)[number], value: string): string[][] {
  if (option.name === 'password') return [[`--password=${value}`], [`-p${value}`]];
  if (option.name === 'password-prompt')
    return [['--password-prompt'], ['--passwordPrompt'], ['-p'], ['--password']];
  const longs = [...new Set([option.name, camel(option.name)])];
  if (option.type === 'boolean') return longs.map((name) => [`--${name}`]);
  const forms = longs.flatMap((name) => [[`--${name}`, value], [`--${name}=${value}`]]);
  for (const alias of option.aliases) {
    forms.push([`-${alias}`, value]);
    if (GLUED.includes(alias)) forms.push([`-${alias}${value}`], [`-${alias}=${value}`]);
  }
  return forms;
}

/** Values of several shapes: a word, a number, spaces, an `=`, a URL, what looks like a boolean. */
const VALUES = [
  'db1',
  '600',
  'two words',
  'a=b',
  'mysql://app:s3cret@db1:3307/shop?ssl-mode=REQUIRED',
  'true',
];

test('every option of check-timeout is covered, with the connection flags', () => {
  const names = OPTIONS.map((option) => option.name);
  for (const name of [
    'json',
    'expect',
    'targets',
    'parallel',
    'format',
    'url',
    'host',
    'password-prompt',
    'no-defaults',
  ])
    assert.ok(names.includes(name), name);
  assert.ok(OPTIONS.length > 20);
  assert.deepEqual(FAST_COMMANDS, [checkTimeoutCommand]);
});

test('check-timeout alone, and each option alone in each spelling, gives the arguments yargs gives', async () => {
  await sameAsYargs(['check-timeout']);
  for (const option of OPTIONS) {
    for (const value of option.type === 'boolean' ? ['-'] : VALUES) {
      for (const words of spellings(option, value)) await sameAsYargs(['check-timeout', ...words]);
    }
  }
});

test('each option repeated (mixing spellings): the last value, or every --url', async () => {
  for (const option of OPTIONS) {
    const first = spellings(option, 'first');
    const last = spellings(option, 'second');
    for (const [index, words] of first.entries()) {
      const again = last[(index + 1) % last.length] as string[];
      const seen = await sameAsYargs(['check-timeout', ...words, ...again]);
      if (option.type === 'boolean') continue;
      const value = seen.args?.[option.name];
      if (option.name === 'url') assert.deepEqual(value, ['first', 'second']);
      else if (option.name !== 'password' || !again[0]?.startsWith('--password')) {
        assert.match(String(value), /second$/, `${words.join(' ')} ${again.join(' ')}`);
      }
    }
  }
});

test('each option beside --json, before and after it', async () => {
  for (const option of OPTIONS) {
    for (const words of spellings(option, 'db1')) {
      await sameAsYargs(['check-timeout', '--json', ...words]);
      await sameAsYargs(['check-timeout', ...words, '--json']);
    }
  }
});

test('--url twice, three times, with a target file from stdin and --parallel', async () => {
  await sameAsYargs(['check-timeout', '--url', 'mysql://a/', '--url=mysql://b/']);
  await sameAsYargs([
    'check-timeout',
    '--url',
    'mysql://a/',
    '--json',
    '--url',
    'mysql://b/',
    '--url',
    'mysql://c/',
  ]);
  await sameAsYargs(['check-timeout', '--targets', '-', '--parallel', '4', '--url', 'mysql://a/']);
  await sameAsYargs(['check-timeout', '--format', 'openmetrics', '--url=mysql://a/', '--url=mysql://a/']);
});

test('every option at once, each given twice', async () => {
  const line = OPTIONS.flatMap((option) => {
    const [first] = spellings(option, 'one');
    const [, second] = spellings(option, 'two');
    return [...(first as string[]), ...(second ?? first ?? [])];
  });
  await sameAsYargs(['check-timeout', ...line]);
});

test('a command line the fast path does not take reaches yargs, which prints what it always printed', async () => {
  const help = await leftToYargs(['check-timeout', '--help']);
  assert.match(help.stdout, /--expect/);
  assert.equal(help.code, 0);
  await leftToYargs(['check-timeout', '-?']);
  await leftToYargs(['check-timeout', '--json', '--help']);
  await leftToYargs(['check-timeout', '--version']);
  await leftToYargs(['--help']);
  await leftToYargs([]);
  const typo = await leftToYargs(['check-timeout', '--jsn']);
  assert.match(typo.stderr, /Did you mean --json\?/);
  assert.equal(typo.code, 2);
  await leftToYargs(['check-timeout', '--json', '--expct', '600']);
  await leftToYargs(['check-timout', '--json']);
  // A missing value, an empty one: yargs reads them as empty, and the empty-flag rule refuses.
  const missing = await leftToYargs(['check-timeout', '--json', '-h']);
  assert.match(missing.stderr, /-h was given no value/);
  await leftToYargs(['check-timeout', '--expect']);
  const empty = await leftToYargs(['check-timeout', '-h', '', '--json']);
  assert.match(empty.stderr, /-h was given no value/);
  await leftToYargs(['check-timeout', '--host=', '--json']);
  await leftToYargs(['check-timeout', '--socket', ' ']);
  // A word after a bare --password is refused without being repeated.
  const password = await leftToYargs(['check-timeout', '--password', 'secret']);
  assert.doesNotMatch(password.stderr, /secret/);
  // Shapes yargs reads in its own ways.
  for (const argv of [
    ['check-timeout', 'extra'],
    ['check-timeout', '--json', '--'],
    ['check-timeout', '--', '--json'],
    ['--json', 'check-timeout'],
    ['check-timeout', '--json=false'],
    ['check-timeout', '--json', 'true'],
    ['check-timeout', '--no-json'],
    ['check-timeout', '--host', '-x'],
    ['check-timeout', '--port', '-1'],
    ['check-timeout', '--url', 'mysql://a/', 'mysql://b/'],
    ['check-timeout', '--h', 'db1'],
    ['check-timeout', '-x'],
    ['check-timeout', '--host="db1"'],
    ['check-timeout', "--host='db1'"],
    ['check-timeout', '--ssl.mode', 'x'],
  ]) {
    await leftToYargs(argv);
  }
});

test("the real check-timeout's refusals read the same through the fast path (nothing connects)", async () => {
  for (const argv of [
    ['check-timeout', '--expect', 'soon'],
    ['check-timeout', '--json', '--expect', '1h30'],
    ['check-timeout', '--format', 'xml'],
    ['check-timeout', '--parallel', '0', '--url', 'mysql://a/', '--url', 'mysql://b/'],
    ['check-timeout', '-psecret', '--expect', 'never'],
  ]) {
    const seen = await sameAsYargs(argv, checkTimeoutCommand);
    assert.equal(seen.code, 2, argv.join(' '));
    assert.match(seen.stderr, /^dbcache: /m);
  }
});

test('check-timeout --json and --format openmetrics against a real server: the same document through both paths', async () => {
  const server = await sharedServer();
  const flags = [
    '-h',
    server.host,
    `-P${server.port}`,
    '--user',
    server.user,
    // An empty password is left to yargs (and refused as a flag given no value): give none.
    ...(server.password ? [`--password=${server.password}`] : []),
    '--ssl-mode=DISABLED',
    '--no-defaults',
  ];
  for (const argv of [
    ['check-timeout', '--json', ...flags],
    ['check-timeout', '--format', 'openmetrics', ...flags],
  ]) {
    const quick = await outcome(fast, argv, checkTimeoutCommand);
    assert.notEqual(quick.code, undefined, `the fast path takes: ${argv.join(' ')}`);
    const slow = await outcome(viaYargs, argv, checkTimeoutCommand);
    assert.equal(quick.code, slow.code, quick.stderr);
    assert.equal(quick.stderr, slow.stderr);
    assert.deepEqual(quick.args, slow.args);
    // Counters (connection ids, Connections, Uptime) move between the two runs: digits aside,
    // the output is byte for byte the same.
    const digitless = (text: string) => text.replace(/\d+(?:\.\d+)?(?:e[+-]?\d+)?/g, '0');
    assert.ok(quick.stdout.length > 100);
    assert.equal(digitless(quick.stdout), digitless(slow.stdout), argv.join(' '));
  }
});

test('the built CLI: a clean check-timeout line never loads yargs (dist/cli.cjs); --help, a typo and other commands do', async () => {
  const server = await sharedServer();
  const copy = copyOfBuild();
  try {
    const traceDir = mkdtempSync(join(copy.dir, 'traces-'));
    const env = { HOME: mkdtempSync(join(copy.dir, 'home-')) };
    const run = (args: string[]) => runBuilt(copy.bin, args, env, { traceDir });
    const clean = await run(['check-timeout', '--json', ...cliFlags(server)]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.ok(JSON.parse(clean.stdout).global.wait_timeout > 0);
    assert.ok('core.cjs' in clean.loads && 'open.cjs' in clean.loads, JSON.stringify(clean.loads));
    assert.ok(!('cli.cjs' in clean.loads), JSON.stringify(clean.loads));
    for (const args of [
      ['check-timeout', '--help'],
      ['check-timeout', '--jsn'],
      ['set-timeout', '--help'],
    ]) {
      const other = await run(args);
      assert.ok('cli.cjs' in other.loads, `${args.join(' ')}: ${JSON.stringify(other.loads)}`);
      assert.notEqual(other.code, -1);
    }
  } finally {
    copy.remove();
  }
});
