/**
 * The man pages: generated from the docs by scripts/docs-man.mjs (as `npm run build` does), clean
 * for both man page linters, listed in package.json so a global install puts them on MANPATH.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(
  program: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(program, args, { ...options, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
let pages: string[];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dbcache-man-'));
  const generated = await run(process.execPath, [join(ROOT, 'scripts/docs-man.mjs'), join(dir, 'man')]);
  assert.equal(generated.code, 0, generated.stderr);
  pages = (await readdir(join(dir, 'man'))).sort();
});
after(() => rm(dir, { recursive: true, force: true }));

test('every docs page has a man page, and package.json lists exactly those', async () => {
  const docs = (await readdir(join(ROOT, 'docs'))).filter((name) => name.endsWith('.md'));
  for (const page of docs) {
    const name = `dbcache-${page.replace(/\.md$/, '')}`;
    assert.ok(
      pages.some((file) => file.startsWith(`${name}.`)),
      `no man page for docs/${page}`,
    );
  }
  assert.ok(pages.includes('dbcache.1'), 'dbcache.1 from the README');
  const { man } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { man: string[] };
  assert.deepEqual(man.map((path) => path.replace(/^\.\/man\//, '')).sort(), pages);
});

test('mandoc -T lint finds nothing to warn about in any page', async () => {
  for (const page of pages) {
    const lint = await run('mandoc', ['-T', 'lint', '-W', 'warning', join(dir, 'man', page)]);
    assert.equal(`${lint.stdout}${lint.stderr}`, '', `mandoc -T lint ${page}`);
    assert.equal(lint.code, 0, `mandoc -T lint ${page}`);
  }
});

test('groff -ww renders every page without a warning', async () => {
  for (const page of pages) {
    const render = await run('groff', ['-t', '-ww', '-man', '-Tutf8', '-z', join(dir, 'man', page)]);
    assert.equal(render.stderr, '', `groff -ww ${page}`);
    assert.equal(render.code, 0, `groff ${page}`);
  }
});

test('npm install -g . puts dbcache on PATH and its man pages on MANPATH', async () => {
  // npm test has built dist/ and man/ (npm run build); the install links this folder.
  assert.ok(
    existsSync(join(ROOT, 'dist/loader.cjs')) && existsSync(join(ROOT, 'man/dbcache.1')),
    'run npm run build first',
  );
  const prefix = join(dir, 'prefix');
  const install = await run(
    'npm',
    ['install', '-g', '.', '--prefix', prefix, '--no-audit', '--no-fund', '--ignore-scripts'],
    {
      cwd: ROOT,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    },
  );
  assert.equal(install.code, 0, install.stderr);
  const version = await run(join(prefix, 'bin/dbcache'), ['--version']);
  assert.equal(version.code, 0, version.stderr);
  const { version: expected } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  assert.equal(version.stdout.trim(), expected);
  for (const page of pages) {
    const section = page.slice(page.lastIndexOf('.') + 1);
    assert.ok(existsSync(join(prefix, 'share/man', `man${section}`, page)), `${page} on MANPATH`);
  }
});
