// Bundles the CLI into dist/ so that start-up reads a few files instead of resolving
// hundreds of modules (the check-timeout start-up budget is 2x a bare `node -e 0`).
// Commands are split into their own chunks and loaded only when chosen.
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const lazyIconv = {
  name: 'lazy-iconv',
  setup(plugin) {
    plugin.onResolve({ filter: /^iconv-lite$/ }, (args) =>
      args.importer.includes('lazy-iconv')
        ? undefined
        : { path: fileURLToPath(new URL('./lazy-iconv.cjs', import.meta.url)) },
    );
  },
};

// cliui's ES module build (used by yargs' ES module build) wraps help text by cutting words in
// half, since it lacks wrap-ansi; its CommonJS build wraps at word boundaries.
// Its CommonJS build also glues an option's [type] to the end of its description when the two
// meet exactly (`...the global ones[string]`): a span that ends at the column where the next
// text starts is treated as having room. One character of its source, checked here.
const CLIUI_GLUE = 'if (leadingWhitespace < targetTextWidth) {';
const cliuiCommonJs = {
  name: 'cliui-commonjs',
  setup(plugin) {
    const path = fileURLToPath(new URL('../node_modules/cliui/build/index.cjs', import.meta.url));
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

const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'linked',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [lazyIconv, cliuiCommonJs],
  // The bundle cannot find package.json at run time, so the version is written in.
  define: { DBCACHE_VERSION: JSON.stringify(version) },
  // mysql2 and yargs' helpers are CommonJS and call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __dbcacheRequire } from 'node:module'; const require = __dbcacheRequire(import.meta.url);",
  },
});
