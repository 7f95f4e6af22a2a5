import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ExitCode } from '../src/output/exit-codes.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const section = (heading: string) => {
  const start = readme.indexOf(`\n## ${heading}\n`);
  assert.notEqual(start, -1, `README has a "## ${heading}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
};

test('the README exit-code table lists exactly the codes the program uses', () => {
  const documented = [...section('Exit codes').matchAll(/^\| (\d+) \|/gm)].map((match) => Number(match[1]));
  assert.deepEqual(
    documented.sort((a, b) => a - b),
    Object.values(ExitCode).sort((a, b) => a - b),
  );
});

test('every command registered in the CLI has a README section and a row in the command table', () => {
  const cli = readFileSync(new URL('../src/cli.ts', import.meta.url), 'utf8');
  const specFiles = [...cli.matchAll(/from '\.\/commands\/([\w-]+)\/command\.ts'/g)].map((match) => match[1]);
  assert.ok(specFiles.length >= 1);
  for (const name of specFiles) {
    assert.match(readme, new RegExp(`\\n## \`dbcache ${name}[ \`]`), `README section for ${name}`);
    assert.match(readme, new RegExp(`\\| \`dbcache ${name}[ \`]`), `README table row for ${name}`);
  }
});
