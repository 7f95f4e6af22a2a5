/**
 * The README and docs/ against the code: every command has its page and its row, every flag its
 * mention, the exit-code table its codes, every link its file. (The examples of real output are
 * checked by test/docs/examples.test.ts.)
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import type { CommandSpec } from '../src/commands/spec.ts';
import { connectionOptions } from '../src/connection/options.ts';
import { ExitCode } from '../src/output/exit-codes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const readme = read('README.md');
const docPages = readdirSync(join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);

const section = (heading: string) => {
  const start = readme.indexOf(`\n## ${heading}\n`);
  assert.notEqual(start, -1, `README has a "## ${heading}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
};

/** The commands cli.ts registers, by folder name, with their specs. */
async function commands(): Promise<Array<{ name: string; spec: CommandSpec }>> {
  const cli = read('src/cli.ts');
  const names = [...cli.matchAll(/from '\.\/commands\/([\w-]+)\/command\.ts'/g)].map(
    (match) => match[1] as string,
  );
  assert.ok(names.length >= 1);
  return Promise.all(
    names.map(async (name) => {
      const module = (await import(`../src/commands/${name}/command.ts`)) as Record<string, unknown>;
      const spec = Object.values(module).find(
        (value): value is CommandSpec =>
          typeof value === 'object' && value !== null && typeof (value as CommandSpec).builder === 'function',
      );
      assert.ok(spec, `src/commands/${name}/command.ts exports its CommandSpec`);
      return { name, spec };
    }),
  );
}

/** A yargs parser's own flags (not its positionals, not --help and --version). */
function flagsOf(parser: Argv, positionals: string[] = []): string[] {
  const { key } = (parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions();
  return Object.keys(key).filter((flag) => !['help', 'version', ...positionals].includes(flag));
}

test('the README exit-code table lists exactly the codes the program uses', () => {
  const documented = [...section('Exit codes').matchAll(/^\| (\d+) \|/gm)].map((match) => Number(match[1]));
  assert.deepEqual(
    documented.sort((a, b) => a - b),
    Object.values(ExitCode).sort((a, b) => a - b),
  );
});

test('every command registered in the CLI has its page in docs/ and a row in the README command table', async () => {
  for (const { name } of await commands()) {
    const page = `docs/${name}.md`;
    assert.ok(existsSync(join(ROOT, page)), `${page} exists`);
    assert.match(read(page), new RegExp(`^# \`dbcache ${name}[ \`]`), `${page} starts with its title`);
    assert.match(
      readme,
      new RegExp(`\\| \\[\`dbcache ${name}\`\\]\\(docs/${name}\\.md\\) \\|`),
      `README table row for ${name}`,
    );
  }
});

test("every flag of every command is described on that command's page", async () => {
  for (const { name, spec } of await commands()) {
    const positionals = [...spec.command.matchAll(/[<[]([\w-]+)[\]>]/g)].map((match) => match[1] as string);
    const page = read(`docs/${name}.md`);
    for (const flag of flagsOf(spec.builder(yargs([])), positionals)) {
      const written = flag.length === 1 ? `-${flag}` : `--${flag}`;
      assert.match(
        page,
        new RegExp(`(?<![\\w-])${written}(?![\\w-])`),
        `docs/${name}.md describes ${written}`,
      );
    }
  }
});

test('every connection flag is described in docs/connecting.md', () => {
  const page = read('docs/connecting.md');
  const flags = Object.entries(connectionOptions()).filter(([, option]) => !option.hidden);
  assert.ok(flags.length >= 10, 'the connection flags');
  for (const [flag] of flags) {
    assert.match(
      page,
      new RegExp(`(?<![\\w-])--${flag}(?![\\w-])`),
      `docs/connecting.md describes --${flag}`,
    );
  }
});

test('every relative link in the README and docs/ names a file that exists', () => {
  for (const page of ['README.md', 'CONTRIBUTING.md', ...docPages]) {
    if (!existsSync(join(ROOT, page))) continue;
    for (const match of read(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = (match[1] as string).replace(/#.*$/, '');
      if (target === '' || /^[a-z]+:/.test(target)) continue;
      assert.ok(
        existsSync(join(ROOT, dirname(page), target)),
        `${page} links to ${match[1]}, which does not exist`,
      );
    }
  }
});

test('the README stays short, and keeps the test command CI and the hooks look for', () => {
  const lines = readme.split('\n').length;
  assert.ok(lines <= 260, `README.md has ${lines} lines; move detail to docs/`);
  assert.match(readme, /^npm test$/m);
});
