import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/dbcache.js', import.meta.url));

test('output into a pipe closed early (| head) ends quietly, without a stack trace', async () => {
  // generate --json for every target prints tens of kilobytes, offline: more than one pipe write.
  const child = spawn(process.execPath, [BIN, 'generate', '--json', '--timeout', '600'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise((resolve) => child.on('exit', (status) => resolve(status)));
  assert.doesNotMatch(stderr, /Unhandled|EPIPE|\n\s+at /);
  assert.equal(code, 0);
});
