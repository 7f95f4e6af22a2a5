import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sharedServer } from '../helpers/server.ts';
import { cliFlags } from '../helpers/target.ts';

const BIN = fileURLToPath(new URL('../../bin/dbcache.js', import.meta.url));

test('output into a pipe closed early (| head) ends quietly, without a stack trace', async () => {
  const server = await sharedServer();
  // A watch keeps writing after the reader has gone, as `dbcache watch-connections --json | head -1` does.
  const args = [
    BIN,
    'watch-connections',
    ...cliFlags(server),
    '--json',
    '--interval',
    '100ms',
    '--count',
    '30',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise((resolve) => child.on('exit', (status) => resolve(status)));
  assert.doesNotMatch(stderr, /Unhandled|EPIPE|\n\s+at /);
  assert.equal(code, 0);
});
