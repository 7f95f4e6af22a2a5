// Builds dist/ for a fast start (issue 15: a one-shot command within 2x of a bare `node -e 0`).
//
// 1. esbuild bundles src/cli.ts as ES modules with code splitting, so each command, the
//    human-output code and mysql2 load only when used.
// 2. Every chunk is turned into CommonJS and the chunks are packed into a few "group" files:
//    `core` (the CLI and yargs, loaded on every run) and one per dynamic import (a command, the
//    mysql2 driver, ...). dist/loader.cjs compiles each group with `vm.Script`, which, unlike
//    Node 20's ES module loader, accepts a V8 code cache: later runs skip parsing and compiling.
// 3. Stand-ins for parts of dependencies are checked against the real ones here, so that a
//    dependency upgrade that changes what they replace fails the build (scripts/stand-ins.mjs).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

// `npm install -g .` in a fresh clone runs this without the development dependencies.
const esbuild = await import('esbuild').catch(() => {
  console.error(
    'dbcache: building needs the development dependencies: run `npm install` in the clone first, then `npm install -g .` (or `npm link`) to put dbcache on PATH.',
  );
  process.exit(1);
});
const { build, transform } = esbuild;
const { checkReplacements, checkStandIns, standInPlugin } = await import('./stand-ins.mjs');

const root = new URL('../', import.meta.url);
const dist = new URL('dist/', root);

// cliui's ES module build (used by yargs' ES module build) wraps help text by cutting words in
// half, since it lacks wrap-ansi; its CommonJS build wraps at word boundaries.
const cliuiCommonJs = {
  name: 'cliui-commonjs',
  setup(plugin) {
    plugin.onResolve({ filter: /^cliui$/ }, () => ({
      path: fileURLToPath(new URL('node_modules/cliui/build/index.cjs', root)),
    }));
  },
};

await checkStandIns();

const { version } = JSON.parse(await readFile(new URL('package.json', root), 'utf8'));

const bundle = await build({
  absWorkingDir: fileURLToPath(root),
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: !process.env.DBCACHE_BUILD_READABLE,
  legalComments: 'eof',
  charset: 'ascii',
  write: false,
  metafile: true,
  logLevel: 'warning',
  plugins: [standInPlugin, cliuiCommonJs],
  // The bundle cannot find package.json at run time, so the version is written in.
  define: { DBCACHE_VERSION: JSON.stringify(version) },
});

checkReplacements();

/** Chunk id (file name without .js) -> its text, static imports and dynamic imports. */
const chunks = new Map();
for (const file of bundle.outputFiles) {
  const id = basename(file.path).replace(/\.js$/, '');
  const meta = bundle.metafile.outputs[`dist/${id}.js`];
  const importsOf = (kind) =>
    meta.imports.filter((entry) => entry.kind === kind && !entry.external).map((entry) => idOf(entry.path));
  chunks.set(id, {
    text: file.text,
    imports: importsOf('import-statement'),
    dynamic: importsOf('dynamic-import'),
  });
}
function idOf(path) {
  return basename(path).replace(/\.js$/, '');
}

/** A chunk and everything it imports statically. */
function closure(id, seen = new Set()) {
  if (seen.has(id)) return seen;
  seen.add(id);
  for (const dep of chunks.get(id).imports) closure(dep, seen);
  return seen;
}

// Groups: `core` is what every run loads; each dynamic import target is a group holding what it
// needs beyond core. A chunk needed by two such groups is written into both (the loader keeps
// one instance per chunk, whichever group defined it first).
const core = closure('cli');
const groups = new Map([['core', { root: 'cli', members: [...core] }]]);
for (const { dynamic } of chunks.values()) {
  for (const target of dynamic) {
    if (groups.has(target)) continue;
    groups.set(target, { root: target, members: [...closure(target)].filter((id) => !core.has(id)) });
  }
}

const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

/** One chunk as CommonJS: static imports become require(), dynamic ones a require() in a promise. */
async function toCommonJs(id) {
  const { code } = await transform(chunks.get(id).text, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    supported: { 'dynamic-import': false },
    minify: !process.env.DBCACHE_BUILD_READABLE,
    charset: 'ascii',
    legalComments: 'eof',
    // Chunks see the file they were loaded from, as their ES module versions did.
    define: { 'import.meta.url': '__dbcacheUrl' },
    banner: /import\.meta/.test(chunks.get(id).text)
      ? 'var __dbcacheUrl=require("node:url").pathToFileURL(__filename).href;'
      : '',
  });
  for (const [, specifier] of code.matchAll(/\brequire\("([^"]+)"\)/g)) {
    const chunk = specifier.startsWith('./') && chunks.has(specifier.slice(2).replace(/\.js$/, ''));
    if (!chunk && !builtins.has(specifier)) {
      throw new Error(
        `build: chunk ${id} requires "${specifier}", which is neither a chunk nor built into Node`,
      );
    }
  }
  if (
    /\bimport\s*\(|import\.meta/.test(
      code.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, ''),
    )
  ) {
    throw new Error(
      `build: chunk ${id} still uses import() or import.meta, which the loader does not provide`,
    );
  }
  return code;
}

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
const manifest = {};
const legal = new Set();
for (const [name, group] of groups) {
  const parts = [];
  for (const id of group.members) {
    let code = await toCommonJs(id);
    code = code.replace(/\/\*![\s\S]*?\*\/|\/\/[!@](?:license|preserve)[^\n]*\n/g, (comment) => {
      legal.add(comment.trim());
      return '';
    });
    parts.push(`d(${JSON.stringify(id)},function(exports,require,module,__filename){${code}\n});`);
  }
  // One function expression per group: the loader compiles it with vm.Script and calls it with
  // its `define`; each chunk's body stays lazily compiled until the chunk is first required.
  const text = `(function(d){${parts.join('\n')}\n})`;
  // Named without esbuild's content hash, so that the loader can prune caches of older builds.
  const file = `${name === 'core' ? name : group.root.replace(/-[A-Z0-9]{8}$/, '')}.cjs`;
  if (Object.values(manifest).some((entry) => entry.file === file)) {
    throw new Error(`build: two groups would be written to dist/${file}`);
  }
  await writeFile(new URL(file, dist), text);
  manifest[group.root] = {
    file,
    hash: createHash('sha256').update(text).digest('base64url').slice(0, 16),
  };
}
if (legal.size) await writeFile(new URL('THIRD-PARTY-NOTICES.txt', dist), `${[...legal].join('\n\n')}\n`);

await build({
  absWorkingDir: fileURLToPath(root),
  entryPoints: ['src/startup/entry.ts'],
  outfile: 'dist/loader.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  charset: 'ascii',
  logLevel: 'warning',
  define: { DBCACHE_GROUPS: JSON.stringify(manifest) },
});
