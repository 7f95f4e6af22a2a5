/**
 * --help fits the terminal (80 columns when it is not one) without cutting a word, and each
 * command lists its own options before the connection flags every command shares.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import yargs from 'yargs';
import { COMMANDS, ownOptions } from '../src/cli.ts';
import { runCli } from './helpers/target.ts';

/** Piped, as `dbcache --help | less` or a test sees it: no COLUMNS, not a terminal. */
const PIPED = { COLUMNS: '' };
const sortedWords = (text: string) => text.split(/\s+/).filter(Boolean).sort();

for (const command of [undefined, ...COMMANDS.map((spec) => spec.command.split(' ')[0] as string)]) {
  const name = command ?? 'dbcache';
  test(`${name} --help piped: no line over 80 columns, no word cut`, async () => {
    const argv = command ? [command, '--help'] : ['--help'];
    const help = await runCli(argv, PIPED);
    assert.equal(help.code, 0, help.stderr);
    for (const line of help.stdout.split('\n')) {
      assert.ok(line.length <= 80, `${line.length} columns:\n${line}`);
    }
    const wide = await runCli(argv, { COLUMNS: '400' });
    assert.deepEqual(sortedWords(help.stdout), sortedWords(wide.stdout), 'the same words, whole');
    const at120 = await runCli(argv, { COLUMNS: '120' });
    for (const line of at120.stdout.split('\n')) assert.ok(line.length <= 120, line);
    assert.ok(
      at120.stdout.split('\n').some((line) => line.length > 80),
      'COLUMNS=120 is used',
    );
  });
}

for (const spec of COMMANDS) {
  const command = spec.command.split(' ')[0] as string;
  test(`${command} --help: its own options come before the connection flags`, async () => {
    const own = ownOptions(spec.builder(yargs([])), spec);
    assert.ok(own.length > 0);
    const help = (await runCli([command, '--help'], PIPED)).stdout;
    const connection = help.indexOf('\nConnection (');
    assert.ok(connection > 0, help);
    for (const option of own) {
      const at = help.indexOf(`--${option} `);
      assert.ok(at > 0 && at < connection, `--${option} is listed before the connection flags:\n${help}`);
    }
  });
}
