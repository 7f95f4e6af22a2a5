/**
 * The README's `check-timeout --json` table is the schema: every key it names is in a real run's
 * document, with the type it gives ("keys always present, values null where the server cannot
 * say"), and the document has no top-level key the table does not name.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { runCheckTimeout } from '../../src/commands/check-timeout/index.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { tcpTarget } from '../helpers/target.ts';

let server: TestServer;
before(async () => {
  server = await sharedServer();
});

/** The key column of the table under "## `check-timeout --json`" in docs/check-timeout.md: each `a.b` path named there. */
function documentedKeys(): string[] {
  const readme = readFileSync(new URL('../../docs/check-timeout.md', import.meta.url), 'utf8');
  const start = readme.indexOf('## `check-timeout --json`');
  assert.ok(start >= 0, 'docs/check-timeout.md has the section');
  const end = readme.indexOf('\n## ', start);
  const rows = readme
    .slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) =>
    [...(row.split(' | ')[0] ?? '').matchAll(/`([\w.*[\]]+)`/g)].map((m) => m[1] ?? ''),
  );
}

function lookup(document: unknown, path: string): { found: boolean; value: unknown } {
  let here: unknown = document;
  for (const part of path.replace(/\[\]$/, '').split('.')) {
    if (here === null || typeof here !== 'object' || !(part in here))
      return { found: false, value: undefined };
    here = (here as Record<string, unknown>)[part];
  }
  return { found: true, value: here };
}

test('every key the README documents is present in a real run, and nothing undocumented at the top', async () => {
  const { io, captured } = memoryIO();
  await runCheckTimeout({ json: true }, io, tcpTarget(server, io));
  const document = JSON.parse(captured.stdout) as Record<string, unknown>;
  const keys = documentedKeys();
  assert.ok(keys.length >= 20, `read ${keys.length} keys from the README`);
  for (const key of keys) {
    if (key.endsWith('.*')) {
      const parent = lookup(document, key.slice(0, -2));
      assert.ok(parent.found && typeof parent.value === 'object' && parent.value !== null, key);
      continue;
    }
    assert.ok(lookup(document, key).found, `${key} is documented but not in the document`);
  }
  const tops = new Set(keys.map((key) => key.split('.')[0]?.replace(/\[\]$/, '')));
  for (const key of Object.keys(document))
    assert.ok(tops.has(key), `${key} is in the document but not in the README`);
});
