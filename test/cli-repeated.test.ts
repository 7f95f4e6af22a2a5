/**
 * One rule for a repeated option, for every option of every command: the last value wins, as
 * the mysql client reads its flags. The options come from the commands' own yargs definitions,
 * so a new option is covered without touching this file; only options declared as lists
 * (array: true) collect every value.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMANDS, commandOptions, main } from '../src/cli.ts';
import type { CommandSpec } from '../src/commands/spec.ts';
import { memoryIO } from './helpers/io.ts';

/**
 * The options meant to repeat, each value adding to the list. Keep this list short and deliberate:
 * watch-connections' filters, and check-timeout's --url (each names one more server of a fleet).
 */
const REPEATABLE = ['filter-user', 'filter-db', 'filter-host', 'url'];

/** Parses `argv` for `spec` as the CLI does, and returns what the command would be run with. */
async function parsed(spec: CommandSpec, argv: string[]): Promise<Record<string, unknown>> {
  let seen: Record<string, unknown> | undefined;
  const spy: CommandSpec = {
    ...spec,
    run: async (args) => {
      seen = args;
      return 0;
    },
  };
  const { io, captured } = memoryIO();
  const code = await main(argv, io, [spy]);
  assert.equal(code, 0, captured.stderr);
  assert.ok(seen, 'the command ran');
  return seen;
}

const positionals = (spec: CommandSpec) => (spec.command.includes('<seconds>') ? ['600'] : []);
const camel = (name: string) => name.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());

for (const spec of COMMANDS) {
  const command = spec.command.split(' ')[0] as string;
  const options = commandOptions(spec);
  test(`${command}: each of its ${options.length} options given twice means the last value`, async () => {
    assert.ok(options.length > 15, 'the connection flags are covered too');
    for (const option of options) {
      const flag = `--${option.name}`;
      if (option.type === 'boolean') {
        const args = await parsed(spec, [command, ...positionals(spec), flag, flag]);
        assert.equal(args[option.name], true, flag);
        continue;
      }
      const [first, last] = option.choices ?? (option.type === 'number' ? ['1', '2'] : ['first', 'second']);
      // `--password VALUE` is refused as a password typed after -p: `=` is the form every option takes.
      const args = await parsed(spec, [command, ...positionals(spec), `${flag}=${first}`, `${flag}=${last}`]);
      const expected = option.type === 'number' ? Number(last) : last;
      if (option.repeatable) {
        assert.ok(
          REPEATABLE.includes(option.name),
          `${flag} collects its values: add it to REPEATABLE on purpose`,
        );
        assert.deepEqual(args[option.name], [first, last], flag);
      } else {
        assert.equal(args[option.name], expected, `${flag} ${first} ${flag} ${last}`);
        assert.equal(args[camel(option.name)], expected, `${flag}, as the command reads it`);
      }
    }
  });
}

test('the repeatable options are the ones declared as lists, and nothing else', () => {
  const lists = COMMANDS.flatMap((spec) => commandOptions(spec).filter((option) => option.repeatable));
  assert.deepEqual([...new Set(lists.map((option) => option.name))].sort(), [...REPEATABLE].sort());
});
