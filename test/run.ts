/**
 * `npm test`: starts one throwaway server for the whole run (unless MYSQL_TEST_URL names one),
 * runs every test file with node:test one file at a time (files change global server
 * variables, so they must not overlap), then stops the server whatever happened.
 * The built CLI the tests run keeps its code and help caches in a directory of the run's own
 * (XDG_CACHE_HOME), removed at the end, not in the developer's ~/.cache.
 * Arguments narrow the run: `npm test -- test/connection`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_SERVER_ENV, startTestServer, type TestServer } from './helpers/server.ts';

function testFiles(root: string): string[] {
  if (statSync(root).isFile()) return [root];
  return readdirSync(root, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(root, entry.name);
      if (entry.isDirectory()) return entry.name === 'helpers' ? [] : testFiles(path);
      return entry.name.endsWith('.test.ts') ? [path] : [];
    })
    .sort();
}

const roots = process.argv.slice(2);
const files = (roots.length ? roots : ['test']).flatMap(testFiles);
if (files.length === 0) {
  console.error('No test files found.');
  process.exit(1);
}

let server: TestServer | undefined;
if (!process.env.MYSQL_TEST_URL) {
  server = await startTestServer();
  console.log(`test server: ${server.url} (socket ${server.socket})`);
}
const cacheHome = mkdtempSync(join(tmpdir(), 'dbcache-test-cache-'));
const cleanUp = async () => {
  rmSync(cacheHome, { recursive: true, force: true });
  await server?.stop();
};
process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));

const { dataDir: _dataDir, errorLog: _errorLog, stop: _stop, restart: _restart, ...shared } = server ?? {};
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env: {
    ...process.env,
    XDG_CACHE_HOME: cacheHome,
    ...(server ? { [SHARED_SERVER_ENV]: JSON.stringify(shared) } : {}),
  },
});
const code: number = await new Promise((resolve) =>
  child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))),
);
await cleanUp();
process.exit(code);
