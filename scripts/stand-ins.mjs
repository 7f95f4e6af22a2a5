// Stand-ins for parts of dependencies that cost start-up time, and the build-time checks that
// they still match what they replace: an upgrade of mysql2 or iconv-lite that changes what a
// stand-in relies on fails the build instead of changing dbcache's behaviour.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const require = createRequire(import.meta.url);
const LAZY_ICONV = fileURLToPath(new URL('./lazy-iconv.cjs', import.meta.url));
const LAZY_ERRORS = fileURLToPath(new URL('./lazy-mysql2-errors.cjs', import.meta.url));
const LAZY_ASSERT = fileURLToPath(new URL('./lazy-assert.cjs', import.meta.url));
const LAZY_STRING_WIDTH = fileURLToPath(new URL('./lazy-string-width.cjs', import.meta.url));
const LAZY_LRU = fileURLToPath(new URL('./lazy-lru.cjs', import.meta.url));
const LAZY_LONG = fileURLToPath(new URL('./lazy-long.cjs', import.meta.url));
const LAZY_WRAP_ANSI = fileURLToPath(new URL('./lazy-wrap-ansi.cjs', import.meta.url));
const YARGS_SHIM = join(dirname(require.resolve('yargs/package.json')), 'lib', 'platform-shims', 'esm.mjs');
const MYSQL2 = dirname(require.resolve('mysql2'));
const ERRORS = join(MYSQL2, 'lib', 'constants', 'errors.js');

/**
 * The real modules behind the stand-ins, by the name a stand-in requires them with
 * (`dbcache-real:<name>`). scripts/build.mjs makes some of them group files of their own.
 */
export const REAL = {
  'mysql2-errors': ERRORS,
  'lru.min': require.resolve('lru.min', { paths: [MYSQL2] }),
  long: require.resolve('long', { paths: [MYSQL2] }),
  'wrap-ansi': require.resolve('wrap-ansi'),
  'string-width': require.resolve('string-width', { paths: [dirname(require.resolve('cliui'))] }),
};
/** Who imports wrap-ansi (dbcache's prose and yargs' layout): each gets the stand-in. */
const WRAP_ANSI_IMPORTERS = ['node_modules/cliui/build/index.cjs', 'src/output/prose.ts'];

/**
 * The mysql2 files that import each replaced module, and what they use of it: the members they
 * read, or null when the stand-in passes everything on. A new importer or a new use needs a look
 * at the stand-in before it is added here.
 */
const EXPECTED_IMPORTERS = {
  'iconv-lite': { 'lib/parsers/string.js': ['getDecoder', 'getEncoder'] },
  '../constants/errors.js': {
    'lib/packets/packet.js': null,
    'lib/base/pool.js': null,
    'lib/commands/server_handshake.js': null,
  },
  'lru.min': {
    'lib/base/connection.js': ['createLRU'],
    'lib/parsers/parser_cache.js': ['createLRU'],
    'lib/parsers/string.js': ['createLRU'],
    'lib/tls_session_cache.js': ['createLRU'],
  },
  long: { 'lib/packets/packet.js': null },
};

/** What the bundle's resolver replaced, by replaced module, then importer (relative to mysql2). */
export const replaced = {
  'iconv-lite': new Set(),
  '../constants/errors.js': new Set(),
  'lru.min': new Set(),
  long: new Set(),
  assert: new Set(),
  'wrap-ansi': new Set(),
};

export const standInPlugin = {
  name: 'stand-ins',
  setup(plugin) {
    plugin.onResolve({ filter: /^iconv-lite$/ }, (args) => {
      if (args.importer === LAZY_ICONV) return undefined;
      replaced['iconv-lite'].add(mysql2Path(args.importer));
      return { path: LAZY_ICONV };
    });
    plugin.onResolve({ filter: /^\.\.\/constants\/errors\.js$/ }, (args) => {
      if (!args.importer.startsWith(MYSQL2 + sep)) return undefined;
      replaced['../constants/errors.js'].add(mysql2Path(args.importer));
      return { path: LAZY_ERRORS };
    });
    plugin.onResolve({ filter: /^dbcache-real:/ }, (args) => {
      const path = REAL[args.path.slice('dbcache-real:'.length)];
      if (!path) fail(`${args.importer} requires ${args.path}, which scripts/stand-ins.mjs does not know`);
      return { path };
    });
    plugin.onResolve({ filter: /^lru\.min$/ }, (args) => {
      if (!args.importer.startsWith(MYSQL2 + sep)) return undefined;
      replaced['lru.min'].add(mysql2Path(args.importer));
      return { path: LAZY_LRU };
    });
    plugin.onResolve({ filter: /^long$/ }, (args) => {
      if (!args.importer.startsWith(MYSQL2 + sep)) return undefined;
      replaced.long.add(mysql2Path(args.importer));
      return { path: LAZY_LONG };
    });
    plugin.onResolve({ filter: /^wrap-ansi$/ }, (args) => {
      replaced['wrap-ansi'].add(relative(root, args.importer).split(sep).join('/'));
      return { path: LAZY_WRAP_ANSI };
    });
    plugin.onResolve({ filter: /^string-width$/ }, (args) =>
      args.importer === LAZY_STRING_WIDTH ? undefined : { path: LAZY_STRING_WIDTH },
    );
    plugin.onResolve({ filter: /^assert$/ }, (args) => {
      if (args.importer !== YARGS_SHIM) return undefined;
      replaced.assert.add('yargs/lib/platform-shims/esm.mjs');
      return { path: LAZY_ASSERT };
    });
  },
};

function mysql2Path(file) {
  return relative(MYSQL2, file).split(sep).join('/');
}

function fail(message) {
  throw new Error(`build: ${message}`);
}

/**
 * After the bundle is built: the stand-ins replaced exactly the imports they were written for.
 * `whole`: the bundle is dist/'s (yargs' and dbcache's own imports checked too), not mysql2 alone.
 */
export function checkReplacements({ whole = true } = {}) {
  if (whole) {
    const wrapping = [...replaced['wrap-ansi']].sort();
    if (JSON.stringify(wrapping) !== JSON.stringify(WRAP_ANSI_IMPORTERS))
      fail(
        `wrap-ansi is imported by [${wrapping.join(', ')}], expected [${WRAP_ANSI_IMPORTERS.join(', ')}]: review scripts/lazy-wrap-ansi.cjs`,
      );
    const seen = [...replaced.assert];
    if (seen.length !== 1)
      fail(`the stand-in for assert replaced it in [${seen.join(', ')}], expected yargs' ES module shim`);
    const imported = readFileSync(YARGS_SHIM, 'utf8').match(/import\s*\{([^}]*)\}\s*from\s*'assert'/)?.[1];
    const names = imported
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .sort();
    if (JSON.stringify(names) !== JSON.stringify(['notStrictEqual', 'strictEqual'])) {
      fail(`yargs' ES module shim imports [${names ?? ''}] from assert now: review scripts/lazy-assert.cjs`);
    }
  }
  for (const [module, importers] of Object.entries(EXPECTED_IMPORTERS)) {
    const seen = [...replaced[module]].sort();
    const expected = Object.keys(importers).sort();
    if (JSON.stringify(seen) !== JSON.stringify(expected)) {
      fail(
        `the stand-in for ${module} replaced it in [${seen.join(', ')}], expected [${expected.join(', ')}]: mysql2 changed; review scripts/stand-ins.mjs`,
      );
    }
    for (const [importer, members] of Object.entries(importers)) {
      if (!members) continue;
      const used = membersUsed(readFileSync(join(MYSQL2, importer), 'utf8'), module);
      const unknown = used?.filter((member) => !members.includes(member));
      if (!unknown || unknown.length) {
        fail(
          `${importer} ${unknown ? `uses ${module}'s ${unknown.join(', ')}` : `no longer takes ${module} as before`} now: review the stand-in for ${module} in scripts/`,
        );
      }
    }
  }
}

/**
 * What a file takes from `require(module)`: the names destructured from it, or the members read
 * from the name it is bound to; undefined when it takes the module any other way.
 */
function membersUsed(source, module) {
  const quoted = module.replace(/[.]/g, '\\.');
  const destructured = source.match(
    new RegExp(`(?:const|let|var)\\s*\\{([^}]*)\\}\\s*=\\s*require\\(['"]${quoted}['"]\\)`),
  )?.[1];
  if (destructured !== undefined)
    return destructured
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
  const binding = source.match(
    new RegExp(`(?:const|let|var)\\s+(\\w+)\\s*=\\s*require\\(['"]${quoted}['"]\\)`),
  )?.[1];
  if (!binding || source.includes(`${binding}[`)) return undefined;
  return [...new Set([...source.matchAll(new RegExp(`\\b${binding}\\.(\\w+)`, 'g'))].map((m) => m[1]))];
}

/**
 * CommonJS `contents` bundled with the stand-ins as dist/ is (this plugin), and run: its exports,
 * and the bundle's text for checking which stand-ins went in. For the checks below and the tests.
 */
export async function bundleWithStandIns(contents) {
  const text = await bundleText(contents);
  const module = { exports: {} };
  new Function('module', 'exports', 'require', text)(module, module.exports, require);
  return { exports: module.exports, text };
}

/** CommonJS `contents` bundled with the stand-ins, as dist/ is: the bundle's text, not run. */
async function bundleText(contents) {
  const { outputFiles } = await build({
    stdin: { contents, resolveDir: root },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    write: false,
    logLevel: 'warning',
    plugins: [standInPlugin],
  });
  return outputFiles[0].text;
}

/** Before the bundle is built: each stand-in behaves as the real module on the inputs it handles. */
export async function checkStandIns() {
  await checkLru();
  checkIconv();
  checkAssert();
  await checkStringWidth();
  await checkErrors();
  await checkLong();
  await checkWrapAnsi();
}

/**
 * The lazy LRU: the same answers, evictions and sizes as lru.min over random sequences of every
 * operation, from the first use on (which makes the real one) and with a bad `max`.
 */
async function checkLru() {
  const { exports } = await bundleWithStandIns(
    `exports.standIn = require(${JSON.stringify(LAZY_LRU)}); exports.real = require('dbcache-real:lru.min');`,
  );
  const { standIn, real } = exports;
  const describe = (make) => {
    const log = [];
    let lru;
    try {
      lru = make({ max: 0 });
    } catch (err) {
      log.push(['max 0', String(err)]);
    }
    lru = make({ max: 5, onEviction: (key, value) => log.push(['evicted', key, value]) });
    const random = lcg(7);
    for (let step = 0; step < 3000; step++) {
      const key = random() % 9;
      const operation = random() % 12;
      const result =
        operation < 3
          ? lru.set(key, step)
          : operation < 5
            ? lru.get(key)
            : operation === 5
              ? lru.peek(key)
              : operation === 6
                ? lru.has(key)
                : operation === 7
                  ? lru.delete(key)
                  : operation === 8
                    ? [...lru.entries()]
                    : operation === 9
                      ? lru.resize(1 + (random() % 8))
                      : operation === 10
                        ? lru.evict(random() % 3)
                        : step % 97 === 0
                          ? lru.clear()
                          : [lru.size, lru.max, lru.available, [...lru.keys()], [...lru.values()]];
      log.push([operation, key, result === lru ? 'self' : result]);
    }
    return JSON.stringify(log);
  };
  if (describe(real.createLRU) !== describe(standIn.createLRU)) {
    fail('scripts/lazy-lru.cjs does not behave as lru.min: review it');
  }
}

/**
 * The CESU-8 decoder: every one- and two-byte input, ASCII with and without a BOM, unfinished
 * characters across writes, and one decoder reused for many values (as mysql2 does), with each
 * option mysql2 or a caller could give.
 */
function checkIconv() {
  const real = require('iconv-lite');
  const standIn = require(LAZY_ICONV);
  const inputs = [[]];
  for (let a = 0; a < 256; a++) {
    inputs.push([a]);
    for (const b of [0x00, 0x41, 0x7f, 0x80, 0xa9, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xef, 0xf0, 0xff])
      inputs.push([a, b]);
  }
  const bom = [0xef, 0xbb, 0xbf];
  const texts = ['10.11.19-MariaDB', 'Straße', '\u{1F4A9}', '\uFEFFx'].map((text) => [
    ...real.encode(text, 'cesu8'),
  ]);
  inputs.push(
    bom,
    [...bom, 0x41],
    [...bom, ...bom],
    [0x41, ...bom],
    [0xed, 0xa0, 0xbd, 0xed, 0xb2, 0xa9],
    ...texts,
  );
  const random = lcg(15);
  for (let count = 0; count < 2000; count++) {
    const ascii = count % 2 === 0;
    inputs.push(Array.from({ length: random() % 12 }, () => (ascii ? random() % 128 : random() % 256)));
  }
  const sequences = [
    ...inputs.map((input) => [input]),
    ...inputs.slice(0, 600).map((input, index) => [inputs[(index * 7) % inputs.length], input, bom, [0x41]]),
    [[], bom, [0x41]],
    [[0x41], bom],
    [[0xe2], [0x82, 0xac], [0x41]],
    [[0x41], [0xe2, 0x82], [0xac]],
  ];
  let callbacks = [0, 0];
  const optionSets = [
    undefined,
    {},
    { stripBOM: false },
    { stripBOM: true },
    [{ stripBOM: () => callbacks[0]++ }, { stripBOM: () => callbacks[1]++ }],
  ];
  for (const options of optionSets) {
    for (const sequence of sequences) {
      callbacks = [0, 0];
      const [realOptions, standInOptions] = Array.isArray(options) ? options : [options, options];
      const decoders = [real.getDecoder('cesu8', realOptions), standIn.getDecoder('cesu8', standInOptions)];
      const results = decoders.map((decoder) =>
        sequence.map((bytes) => [decoder.write(Buffer.from(bytes)), decoder.end()]),
      );
      if (JSON.stringify(results[0]) !== JSON.stringify(results[1]) || callbacks[0] !== callbacks[1]) {
        fail(
          `scripts/lazy-iconv.cjs decodes cesu8 ${JSON.stringify(sequence)} (options ${JSON.stringify(standInOptions)}) as ${JSON.stringify(results[1])}, iconv-lite as ${JSON.stringify(results[0])}`,
        );
      }
    }
  }
  for (const name of Object.keys(standIn)) {
    if (typeof real[name] !== 'function')
      fail(`iconv-lite no longer has ${name}(): review scripts/lazy-iconv.cjs`);
  }
}

/**
 * Every string of up to two characters from ASCII and a few wider ones, ANSI-colored and random
 * strings, and non-strings: the same width as string-width gives.
 */
async function checkStringWidth() {
  const { exports } = await bundleWithStandIns(
    `exports.standIn = require(${JSON.stringify(LAZY_STRING_WIDTH)}); exports.real = require('dbcache-real:string-width');`,
  );
  const { standIn, real } = exports;
  if (standIn.default !== standIn || typeof real.default !== 'function') {
    fail('string-width no longer exports itself as default: review scripts/lazy-string-width.cjs');
  }
  const characters = [
    ...Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)),
    '\u00e9',
    '\u4e00',
    '\u{1F600}',
    '\u0301',
    '\u009b',
  ];
  const inputs = [
    undefined,
    null,
    42,
    '',
    '\u001b[31mred\u001b[39m',
    'Straße',
    '#\ufe0f\u20e3',
    '1\ufe0f\u20e3',
  ];
  for (const a of characters) for (const b of characters) inputs.push(a + b);
  const random = lcg(15);
  for (let count = 0; count < 5000; count++) {
    inputs.push(String.fromCharCode(...Array.from({ length: random() % 40 }, () => 32 + (random() % 95))));
  }
  for (const input of inputs) {
    if (standIn(input) !== real(input)) {
      fail(
        `scripts/lazy-string-width.cjs gives ${JSON.stringify(input)} width ${standIn(input)}, string-width ${real(input)}`,
      );
    }
  }
}

/** Passing and failing checks, with the values where Object.is and === differ. */
function checkAssert() {
  const real = require('node:assert');
  const standIn = require(LAZY_ASSERT);
  const values = [undefined, null, true, 0, -0, Number.NaN, 1, '', '1', 'string', {}, [], real];
  for (const name of ['notStrictEqual', 'strictEqual']) {
    for (const actual of values) {
      for (const expected of values) {
        const outcome = (assert) => {
          try {
            assert[name](actual, expected, 'message');
            return 'passed';
          } catch (err) {
            return `${err.constructor.name} ${err.code} ${err.message}`;
          }
        };
        if (outcome(real) !== outcome(standIn)) {
          fail(
            `scripts/lazy-assert.cjs ${name}(${String(actual)}, ${String(expected)}) differs from assert's`,
          );
        }
      }
    }
  }
}

/** The error table is plain data (names and numbers), which the stand-in passes on unchanged. */
async function checkErrors() {
  const { exports } = await bundleWithStandIns(
    `exports.standIn = require(${JSON.stringify(LAZY_ERRORS)}); exports.real = require(${JSON.stringify(ERRORS)});`,
  );
  const { standIn, real } = exports;
  if (standIn === real) fail('the mysql2 error table stand-in was not used');
  const keys = Reflect.ownKeys(real);
  if (keys.length < 1000)
    fail(`mysql2's error table has only ${keys.length} entries: review scripts/lazy-mysql2-errors.cjs`);
  for (const key of keys) {
    const descriptor = Object.getOwnPropertyDescriptor(real, key);
    if (!('value' in descriptor) || !['string', 'number'].includes(typeof descriptor.value)) {
      fail(
        `mysql2's error table entry ${String(key)} is not a plain name or number: review scripts/lazy-mysql2-errors.cjs`,
      );
    }
    if (standIn[key] !== real[key]) fail(`the mysql2 error table stand-in gives a different ${String(key)}`);
  }
  if (JSON.stringify(Object.keys(standIn)) !== JSON.stringify(Object.keys(real))) {
    fail('the mysql2 error table stand-in lists different keys');
  }
  // Replaced for exactly the expected importers, within a bundle of mysql2 as dbcache uses it.
  for (const set of Object.values(replaced)) set.clear();
  await bundleText("require('mysql2/promise')");
  checkReplacements({ whole: false });
  for (const set of Object.values(replaced)) set.clear();
}

/**
 * The stand-in as mysql2 uses it (constructed, for its digits and its number), and as anything
 * else could (static methods, instanceof), at the edges of the signed and unsigned ranges.
 */
async function checkLong() {
  const { exports } = await bundleWithStandIns(
    `exports.standIn = require(${JSON.stringify(LAZY_LONG)}); exports.real = require('dbcache-real:long');`,
  );
  const { standIn: StandIn, real: Long } = exports;
  if (StandIn === Long || typeof Long !== 'function') fail('the long stand-in was not used');
  const words = [0, 1, -1, 0x7fffffff, -0x80000000, 0x1fffff, 0x200000];
  const seen = (make) => {
    const values = [];
    for (const low of words)
      for (const high of words)
        for (const unsigned of [true, false]) {
          const long = make(low, high, unsigned);
          values.push(long.toString(), long.toNumber(), long.unsigned);
        }
    return JSON.stringify(values);
  };
  const made = new StandIn(1, 2, true);
  const outcome = (call) => {
    try {
      return String(call());
    } catch (err) {
      return `${err.name}: ${err.message}`;
    }
  };
  if (
    seen((...args) => new StandIn(...args)) !== seen((...args) => new Long(...args)) ||
    !(made instanceof Long && made instanceof StandIn && StandIn.isLong(made)) ||
    StandIn.fromString('18446744073709551615', true).toString() !== '18446744073709551615' ||
    StandIn.MAX_UNSIGNED_VALUE.toString() !== Long.MAX_UNSIGNED_VALUE.toString() ||
    outcome(() => StandIn(5)) !== outcome(() => Long(5))
  ) {
    fail('scripts/lazy-long.cjs does not behave as long: review it');
  }
}

/** Plain, colored and unbreakable text at several widths, with the options dbcache and cliui give. */
async function checkWrapAnsi() {
  const { exports } = await bundleWithStandIns(
    `exports.standIn = require(${JSON.stringify(LAZY_WRAP_ANSI)}); exports.real = require('dbcache-real:wrap-ansi');`,
  );
  const { standIn, real } = exports;
  if (standIn === real || typeof real !== 'function') fail('the wrap-ansi stand-in was not used');
  const texts = [
    'Set wait_timeout to 600 so that pools recycle connections before the server closes them.',
    '\u001b[33mwarning\u001b[39m a path-longer-than-any-line-of-text-here, Straße 東京 \u{1F600}',
  ];
  for (const text of texts) {
    for (const options of [{ hard: false, trim: true }, { hard: true }]) {
      if (standIn(text, 20, options) !== real(text, 20, options))
        fail(`scripts/lazy-wrap-ansi.cjs wraps ${JSON.stringify(text)} differently from wrap-ansi`);
    }
  }
}

/** A repeatable stream of pseudo-random 16-bit numbers (a linear congruential generator). */
function lcg(seed) {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 16;
  };
}
