/**
 * `dbcache` on PATH and through npx, as the README's quick start says: `npm install -g .` and
 * `npm link` from a clone (issue 10, item 16), and `npx dbcache` inside it; every path involved
 * has spaces. npm runs offline: a folder install links the folder and fetches nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, test } from 'node:test';
import { sharedServer } from '../helpers/server.ts';
import { cliFlags } from '../helpers/target.ts';
import { PACKAGE_ROOT } from './built.ts';

let scratch: string;
let clone: string;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'dbcache install '));
  clone = join(scratch, 'a clone with spaces', 'dbcache');
  mkdirSync(clone, { recursive: true });
  // What a clone holds after `npm install` (which builds dist/); its dependencies are this one's.
  for (const entry of [
    'README.md',
    'docs',
    'bin',
    'dist',
    'scripts',
    'src',
    'package.json',
    'package-lock.json',
    'tsconfig.json',
  ]) {
    cpSync(join(PACKAGE_ROOT, entry), join(clone, entry), { recursive: true });
  }
  symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(clone, 'node_modules'));
});
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd ?? scratch,
        env: {
          ...process.env,
          npm_config_offline: 'true',
          npm_config_audit: 'false',
          npm_config_fund: 'false',
          npm_config_update_notifier: 'false',
          ...options.env,
        },
        timeout: 180_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `dbcache` found on PATH (only the prefix's bin and Node's own directory), as a user types it. */
async function onPath(prefix: string, args: string[]): Promise<Result> {
  const path = [join(prefix, 'bin'), join(process.execPath, '..'), '/usr/bin', '/bin'].join(delimiter);
  const home = mkdtempSync(join(scratch, 'home '));
  return run('dbcache', args, { env: { PATH: path, HOME: home, XDG_CACHE_HOME: undefined } });
}

async function checkTimeout(prefix: string): Promise<void> {
  const server = await sharedServer();
  const result = await onPath(prefix, ['check-timeout', '--json', ...cliFlags(server)]);
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  assert.equal(typeof JSON.parse(result.stdout).global.wait_timeout, 'number');
}

test('npm install -g . puts dbcache on PATH, and it runs', async () => {
  const prefix = join(scratch, 'global prefix');
  const install = await run('npm', ['install', '-g', '.', '--prefix', prefix], { cwd: clone });
  assert.equal(install.code, 0, install.stderr);
  const version = await onPath(prefix, ['--version']);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  const help = await onPath(prefix, ['--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /check-timeout/);
  await checkTimeout(prefix);
});

test('npm link does the same', async () => {
  const prefix = join(scratch, 'linked prefix');
  // (npm link reads --prefix as the project's folder; the global prefix comes from its config.)
  const link = await run('npm', ['link'], { cwd: clone, env: { npm_config_prefix: prefix } });
  assert.equal(link.code, 0, link.stderr);
  await checkTimeout(prefix);
});

test('npx dbcache runs the clone\u2019s own CLI', async () => {
  const server = await sharedServer();
  const result = await run('npx', ['dbcache', 'check-timeout', '--json', ...cliFlags(server)], {
    cwd: clone,
    env: { HOME: mkdtempSync(join(scratch, 'home ')) },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(typeof JSON.parse(result.stdout).global.wait_timeout, 'number');
});
