import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  docPages,
  EXAMPLES,
  type ExampleWorld,
  findBlocks,
  realignTables,
  renderAll,
  startExampleWorld,
} from '../../scripts/docs-examples.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// The examples run against a server of their own, just started: the suite's shared server has
// counters and settings other test files change.
let world: ExampleWorld;
let stop: () => Promise<void>;
let rendered: Map<string, string>;

before(async () => {
  ({ world, stop } = await startExampleWorld());
  rendered = await renderAll(world);
});
after(() => stop?.());

test('every example block in the docs is what the command prints now (npm run docs:examples rewrites them)', async () => {
  let blocks = 0;
  for (const page of await docPages()) {
    const name = relative(ROOT, page);
    for (const block of findBlocks(await readFile(page, 'utf8'))) {
      blocks++;
      const expected = rendered.get(block.name);
      assert.ok(
        expected !== undefined,
        `${name}: the example "${block.name}" is not registered in scripts/docs-examples.ts`,
      );
      assert.equal(
        expected,
        block.body,
        `${name}: the example "${block.name}" no longer matches a real run; run npm run docs:examples and review the diff`,
      );
    }
  }
  assert.ok(blocks > 0, 'the docs show examples');
});

test('every registered example appears on a page', async () => {
  const used = new Set<string>();
  for (const page of await docPages()) {
    for (const block of findBlocks(await readFile(page, 'utf8'))) used.add(block.name);
  }
  for (const example of EXAMPLES)
    assert.ok(used.has(example.name), `no page shows the example "${example.name}"`);
});

test('a table realigned after normalising keeps its shape, spanning rows included', () => {
  const drawn = [
    '┌──────────────────┬─────┐',
    '│ /tmp/abcdef/sock │ 600 │',
    '│ 127.0.0.1:41234  │ unreachable │',
    '└──────────────────┴─────┘',
  ].join('\n');
  assert.equal(
    realignTables(drawn.replace('/tmp/abcdef/sock', '/run/s').replace('41234', '3307')),
    [
      '┌────────────────┬─────────────┐',
      '│ /run/s         │ 600         │',
      '│ 127.0.0.1:3307 │ unreachable │',
      '└────────────────┴─────────────┘',
    ].join('\n'),
  );
});
