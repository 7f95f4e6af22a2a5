// Builds dist/ for a fast start (issue 15: a one-shot command within 2x of a bare `node -e 0`).
//
// 1. esbuild bundles src/start.ts as ES modules with code splitting, so each command, the
//    human-output code and mysql2 load only when used.
// 2. Every chunk is turned into CommonJS and the chunks are packed into a few "group" files:
//    `core` (src/start.ts and the check-timeout fast path, loaded on every run) and one per
//    dynamic import (the CLI with yargs, a command, the mysql2 driver, ...). dist/loader.cjs compiles each group with `vm.Script`, which, unlike
//    Node 20's ES module loader, accepts a V8 code cache: later runs skip parsing and compiling.
// 3. Stand-ins for parts of dependencies are checked against the real ones here, so that a
//    dependency upgrade that changes what they replace fails the build (scripts/stand-ins.mjs).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// `npm install -g .` in a fresh clone runs this without the development dependencies.
const esbuild = await import('esbuild').catch(() => {
  console.error(
    'dbcache: building needs the development dependencies: run `npm install` in the clone first, then `npm install -g .` (or `npm link`) to put dbcache on PATH.',
  );
  process.exit(1);
});
const { build, transform } = esbuild;
const { checkReplacements, checkStandIns, REAL, standInPlugin } = await import('./stand-ins.mjs');
const LAZY_ICONV = fileURLToPath(new URL('./lazy-iconv.cjs', import.meta.url));

const root = new URL('../', import.meta.url);
const dist = new URL('dist/', root);

// cliui's ES module build (used by yargs' ES module build) wraps help text by cutting words in
// half, since it lacks wrap-ansi; its CommonJS build wraps at word boundaries.
// Its CommonJS build also glues an option's [type] to the end of its description when the two
// meet exactly (`...the global ones[string]`): a span that ends at the column where the next
// text starts is treated as having room. One character of its source, checked here.
const CLIUI_GLUE = 'if (leadingWhitespace < targetTextWidth) {';
const cliuiCommonJs = {
  name: 'cliui-commonjs',
  setup(plugin) {
    const path = fileURLToPath(new URL('node_modules/cliui/build/index.cjs', root));
    plugin.onResolve({ filter: /^cliui$/ }, () => ({ path }));
    plugin.onLoad({ filter: /cliui[\\/]build[\\/]index\.cjs$/ }, async () => {
      const source = await readFile(path, 'utf8');
      if (!source.includes(CLIUI_GLUE)) throw new Error(`cliui changed: "${CLIUI_GLUE}" is not in ${path}`);
      return {
        contents: source.replace(CLIUI_GLUE, 'if (leadingWhitespace <= targetTextWidth) {'),
        loader: 'js',
      };
    });
  },
};

await checkStandIns();

const require = createRequire(import.meta.url);
const mysql2Lib = join(dirname(require.resolve('mysql2')), 'lib');

/**
 * Parts of dependencies that are large and rarely run get group files of their own, loaded on
 * first use: less to read, parse (on a first run) and keep in the cache on every connect.
 * Group id -> its file, the module that goes in it, and the specifier (and importer) that loads
 * it; the bundle keeps `require("dbcache-group:...")`.
 */
const ON_DEMAND = {
  // The real iconv-lite (its code-page tables are half of mysql2's bundle), for the stand-in.
  'dbcache-group:iconv-lite': {
    file: 'iconv-lite.cjs',
    entry: require.resolve('iconv-lite'),
    specifier: 'iconv-lite',
    importer: LAZY_ICONV,
  },
  // mysql2's error-name table, for its stand-in: read on a server error.
  'dbcache-group:mysql2-errors': onDemandReal('mysql2-errors'),
  // long, for its stand-in: a 64-bit integer no number can hold (it compiles WebAssembly as it loads).
  'dbcache-group:long': onDemandReal('long'),
  // wrap-ansi with ansi-styles and color-convert, for its stand-in: text wrapped for a terminal.
  'dbcache-group:wrap-ansi': onDemandReal('wrap-ansi'),
  // AWS RDS certificates, for `ssl: 'Amazon RDS'` only (mysql2 requires this file on use).
  'dbcache-group:ssl-profiles': {
    file: 'ssl-profiles.cjs',
    entry: join(mysql2Lib, 'constants', 'ssl_profiles.js'),
    specifier: './constants/ssl_profiles.js',
    importer: join(mysql2Lib, 'connection_config.js'),
  },
};

/** The real module a stand-in requires as `dbcache-real:<name>` (scripts/stand-ins.mjs), as a group. */
function onDemandReal(name) {
  return { file: `${name}.cjs`, entry: REAL[name], specifier: `dbcache-real:${name}` };
}

const used = new Set();
const literally = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const onDemandGroups = {
  name: 'on-demand-groups',
  setup(plugin) {
    const specifiers = Object.values(ON_DEMAND).map((group) => literally(group.specifier));
    plugin.onResolve({ filter: new RegExp(`^(${specifiers.join('|')})$`) }, (args) => {
      const match = Object.entries(ON_DEMAND).find(
        ([, group]) => group.specifier === args.path && (!group.importer || group.importer === args.importer),
      );
      if (!match) return undefined;
      used.add(match[0]);
      return { path: match[0], external: true };
    });
  },
};

const { version } = JSON.parse(await readFile(new URL('package.json', root), 'utf8'));

const bundle = await build({
  absWorkingDir: fileURLToPath(root),
  entryPoints: ['src/start.ts'],
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
  plugins: [onDemandGroups, standInPlugin, cliuiCommonJs],
  // The bundle cannot find package.json at run time, so the version is written in.
  define: { DBCACHE_VERSION: JSON.stringify(version) },
});

checkReplacements();
if (used.size !== Object.keys(ON_DEMAND).length) {
  throw new Error(
    `build: on-demand groups not used: ${Object.keys(ON_DEMAND).filter((name) => !used.has(name))}`,
  );
}
const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
/** Modules a dependency tries to require and does without (the loader says they are not installed). */
const OPTIONAL = new Set(['cardinal']);
for (const [output, meta] of Object.entries(bundle.metafile.outputs)) {
  for (const entry of meta.imports) {
    if (
      entry.external &&
      !builtins.has(entry.path) &&
      !(entry.path in ON_DEMAND) &&
      !OPTIONAL.has(entry.path)
    ) {
      throw new Error(
        `build: ${output} imports "${entry.path}", which is neither bundled nor built into Node`,
      );
    }
  }
}

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

// Groups: `core` is what every run loads (src/start.ts: the fast path for a clean check-timeout
// line); each dynamic import target is a group holding what it needs beyond core (src/cli.ts with
// yargs is one: `cli`). A chunk needed by two such groups is written into both (the loader keeps
// one instance per chunk, whichever group defined it first).
const core = closure('start');
const groups = new Map([['core', { root: 'start', members: [...core] }]]);
for (const { dynamic } of chunks.values()) {
  for (const target of dynamic) {
    if (groups.has(target)) continue;
    groups.set(target, { root: target, members: [...closure(target)].filter((id) => !core.has(id)) });
  }
}

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
    if (!chunk && !builtins.has(specifier) && !(specifier in ON_DEMAND)) {
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

/**
 * A chunk as the loader defines it. The body is in parentheses, which V8 takes as a sign that a
 * function is called soon and compiles with the file, in one pass, instead of pre-parsing it then
 * and parsing it again on the call; nearly every chunk of a group a run loads is run. This only
 * matters when there is no code cache (a first check-timeout run: about 5 ms of its 150).
 */
function chunkDefinition(id, code) {
  return `d(${JSON.stringify(id)},(function(exports,require,module,__filename){${code}\n}));`;
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
    parts.push(chunkDefinition(id, code));
  }
  // One function expression per group: the loader compiles it with vm.Script and calls it with
  // its `define`; each chunk's body runs when the chunk is first required.
  const text = `(function(d){${parts.join('\n')}\n})`;
  // Named without esbuild's content hash, so that the loader can prune caches of older builds.
  // Two commands' render.ts both come out as `render`: the later one in esbuild's (stable) order
  // gets a number.
  const base = name === 'core' ? name : group.root.replace(/-[A-Z0-9]{8}$/, '');
  const taken = (candidate) => Object.values(manifest).some((entry) => entry.file === candidate);
  let file = `${base}.cjs`;
  for (let n = 2; taken(file); n++) file = `${base}-${n}.cjs`;
  await writeFile(new URL(file, dist), text);
  manifest[group.root] = {
    file,
    hash: createHash('sha256').update(text).digest('base64url').slice(0, 16),
  };
}
for (const [id, group] of Object.entries(ON_DEMAND)) {
  // With the same stand-ins as the rest (wrap-ansi measures words with the string-width one).
  const { outputFiles } = await build({
    entryPoints: [group.entry],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: !process.env.DBCACHE_BUILD_READABLE,
    charset: 'ascii',
    legalComments: 'eof',
    write: false,
    logLevel: 'warning',
    plugins: [standInPlugin],
  });
  let code = outputFiles[0].text.replace(
    /\/\*![\s\S]*?\*\/|\/\/[!@](?:license|preserve)[^\n]*\n/g,
    (comment) => {
      legal.add(comment.trim());
      return '';
    },
  );
  for (const [, specifier] of code.matchAll(/\brequire\("([^"]+)"\)/g)) {
    if (!builtins.has(specifier)) throw new Error(`build: ${group.file} requires "${specifier}"`);
  }
  code = `(function(d){${chunkDefinition(id, code)}\n})`;
  await writeFile(new URL(group.file, dist), code);
  manifest[id] = {
    file: group.file,
    hash: createHash('sha256').update(code).digest('base64url').slice(0, 16),
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
