/**
 * The stand-ins the build puts in place of parts of mysql2's dependencies and of yargs' (see
 * scripts/stand-ins.mjs) behave as what they replace: mysql2 bundled with them against mysql2
 * as installed, on the same server, for error names, BOMs and non-ASCII text (a server whose
 * version string is not ASCII, and utf8mb3 columns, which mysql2 decodes as CESU-8) and 64-bit
 * integers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { Script } from 'node:vm';
import * as realMysql2 from 'mysql2/promise';
import { main } from '../../src/cli.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, startTestServer, type TestServer } from '../helpers/server.ts';
import { cliFlags, runCli } from '../helpers/target.ts';
import { PACKAGE_ROOT, runBuilt } from './built.ts';

const require = createRequire(import.meta.url);

type Mysql2 = typeof realMysql2;

/** scripts/stand-ins.mjs, the build's (a plain .mjs file, so imported through a variable TypeScript does not resolve). */
async function standIns(): Promise<{
  bundleWithStandIns(contents: string): Promise<{ exports: unknown; text: string }>;
}> {
  const script: string = '../../scripts/stand-ins.mjs';
  return import(script);
}

/** mysql2/promise bundled with the stand-ins, as in dist/ (the same plugin as scripts/build.mjs). */
async function bundledMysql2(): Promise<Mysql2> {
  const { exports, text } = await (await standIns()).bundleWithStandIns(
    "module.exports = require('mysql2/promise');",
  );
  assert.match(text, /lazy-iconv|cesu8Decoder/, 'the bundle uses the iconv-lite stand-in');
  assert.match(
    text,
    /dbcache-real:mysql2-errors|lazy-mysql2-errors/,
    'the bundle uses the error table stand-in',
  );
  assert.match(text, /dbcache-real:lru\.min|lazy-lru/, 'the bundle uses the LRU stand-in');
  assert.match(text, /dbcache-real:long|lazy-long/, 'the bundle uses the long stand-in');
  return exports as Mysql2;
}

/** What a failed statement or connect looks like to a caller: everything but the stack. */
async function failure(run: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await run();
  } catch (err) {
    const { code, errno, sqlState, sqlMessage, message, fatal } = err as Record<string, unknown>;
    return { code, errno, sqlState, sqlMessage, message, fatal };
  }
  throw new Error('expected a failure');
}

let bundled: Mysql2;
let unicodeServer: TestServer;
/** BOM first, then non-ASCII: the handshake's server version is the first CESU-8 value each decoder sees. */
const VERSION = '10.11.19-MariaDB-\uFEFFÜnïcödé ✓';

before(async () => {
  bundled = await bundledMysql2();
  unicodeServer = await startTestServer({ args: [`--version=${VERSION}`] });
});
after(() => unicodeServer?.stop());

test('server errors get the same names (code), numbers and messages as with the real error table', async () => {
  const server = await sharedServer();
  const options = { host: server.host, port: server.port, user: server.user, password: server.password };
  for (const mysql2 of [realMysql2, bundled]) assert.equal(typeof mysql2.createConnection, 'function');
  const results = [];
  for (const mysql2 of [realMysql2, bundled]) {
    const connection = await mysql2.createConnection(options);
    try {
      results.push([
        await failure(() => connection.query('SELEC 1')),
        await failure(() => connection.query('SELECT * FROM mysql.no_such_table')),
        await failure(() => connection.query('SET GLOBAL no_such_variable = 1')),
        await failure(() => connection.query("SELECT CAST('x' AS UNSIGNED), SIGNAL_NOT_A_FUNCTION()")),
        await failure(() => mysql2.createConnection({ ...options, user: 'no_such_user', password: 'x' })),
        await failure(() => mysql2.createConnection({ ...options, database: 'no_such_database' })),
      ]);
    } finally {
      await connection.end();
    }
  }
  assert.deepEqual(results[1], results[0]);
  const codes = (results[0] as Record<string, unknown>[]).map((result) => result.code);
  assert.deepEqual(codes, [
    'ER_PARSE_ERROR',
    'ER_NO_SUCH_TABLE',
    'ER_UNKNOWN_SYSTEM_VARIABLE',
    'ER_SP_DOES_NOT_EXIST',
    'ER_ACCESS_DENIED_ERROR',
    'ER_BAD_DB_ERROR',
  ]);
});

test('a non-ASCII server version, BOMs and non-ASCII utf8mb3 values decode as with the real iconv-lite', async () => {
  const query = [
    'SELECT VERSION() AS version',
    "CONVERT(X'EFBBBF41' USING utf8mb3) AS bom",
    "CONVERT(X'41EFBBBF' USING utf8mb3) AS bom_after",
    "CONVERT('Straße ✓' USING utf8mb3) AS text",
    "CONVERT(X'41' USING utf8mb3) AS ascii",
    "CONVERT(X'EFBBBF' USING utf8mb3) AS only_bom",
  ].join(', ');
  const shared = await sharedServer();
  const seen = [];
  for (const mysql2 of [realMysql2, bundled]) {
    // The same sequence on both copies (each keeps one CESU-8 decoder for all its connections):
    // an ASCII server version first, then the non-ASCII one, as a long-running process may see.
    const values = [];
    for (const options of [
      { host: shared.host, port: shared.port, user: shared.user, password: shared.password },
      { socketPath: unicodeServer.socket as string, user: 'root' },
    ]) {
      // utf8mb3 results, which mysql2 decodes as CESU-8 (as it does the handshake's server version).
      const connection = await mysql2.createConnection({ ...options, charset: 'UTF8_GENERAL_CI' });
      try {
        const core = (
          connection as unknown as { connection: { _handshakePacket: { serverVersion: string } } }
        ).connection;
        const handshake = core._handshakePacket.serverVersion;
        const [rows] = await connection.query(query);
        const [metadata] = await connection.query("SHOW VARIABLES LIKE 'version'");
        values.push({ handshake, rows, metadata });
      } finally {
        await connection.end();
      }
    }
    seen.push(values);
  }
  assert.deepEqual(seen[1], seen[0]);
  const first = seen[0]?.[1] as { handshake: string; rows: Record<string, string>[] };
  assert.ok(first.handshake.includes('Ünïcödé ✓'), first.handshake);
  assert.equal(first.rows[0]?.version, VERSION);
  assert.equal(first.rows[0]?.text, 'Straße ✓');
});

test('the built CLI reports a non-ASCII server version as the server gives it', async () => {
  const socket = unicodeServer.socket as string;
  const result = await runCli(['check-timeout', '--json', '--no-defaults', '-S', socket, '-u', 'root']);
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  assert.equal(JSON.parse(result.stdout).server.version_string, VERSION);
});

test("yargs' assert stand-in passes and fails as Node's assert does", () => {
  const real = require('node:assert') as typeof import('node:assert');
  const standIn = require('../../scripts/lazy-assert.cjs') as Pick<
    typeof real,
    'strictEqual' | 'notStrictEqual'
  >;
  const values = [undefined, null, 0, -0, Number.NaN, '0', {}];
  for (const name of ['strictEqual', 'notStrictEqual'] as const) {
    for (const actual of values) {
      for (const expected of values) {
        const outcome = (assertModule: typeof standIn) => {
          try {
            assertModule[name](actual, expected, 'checked');
            return 'passed';
          } catch (err) {
            return `${(err as Error).name}: ${(err as Error).message}`;
          }
        };
        assert.equal(outcome(standIn), outcome(real), `${name}(${String(actual)}, ${String(expected)})`);
      }
    }
  }
});

test('prepared statements, generated row parsers (the LRU caches made on first use) and 64-bit integers (long) work as with mysql2 as installed', async () => {
  const shared = await sharedServer();
  const run = async (mysql2: Mysql2) => {
    const options = { host: shared.host, port: shared.port, user: shared.user, password: shared.password };
    const connection = await mysql2.createConnection(options);
    try {
      const seen: unknown[] = [];
      // The same statement three times: prepared once, then taken from the connection's cache.
      for (const value of [1, 2, 3]) seen.push((await connection.execute('SELECT ? + 1 AS n', [value]))[0]);
      // Rows parsed by generated code, cached per result shape.
      for (let run = 0; run < 2; run++) seen.push((await connection.query('SELECT 1 AS a, "b" AS b'))[0]);
      connection.unprepare('SELECT ? + 1 AS n');
      seen.push((await connection.execute('SELECT ? + 1 AS n', [4]))[0]);
      // 64-bit integers in the binary protocol with supportBigNumbers: past 2^53 they are read
      // through long (the stand-in's), as digits; 2^32 as digits (bigNumberStrings) or a number.
      for (const bigNumberStrings of [true, false]) {
        const big = await mysql2.createConnection({ ...options, supportBigNumbers: true, bigNumberStrings });
        try {
          const sql = 'SELECT CAST(? AS UNSIGNED) AS u, CAST(? AS SIGNED) AS s, CAST(? AS SIGNED) AS small';
          seen.push(
            (await big.execute(sql, ['18446744073709551615', '-9223372036854775807', '4294967296']))[0],
          );
        } finally {
          await big.end();
        }
      }
      return JSON.stringify(seen);
    } finally {
      await connection.end();
    }
  };
  const real = await run(realMysql2);
  assert.equal(await run(bundled), real);
  // BIGINTs all three, the large ones through long both times, the small one as digits then a number.
  const u = '"u":"18446744073709551615","s":"-9223372036854775807"';
  assert.ok(real.includes(`{${u},"small":"4294967296"}`) && real.includes(`{${u},"small":4294967296}`), real);
});

test('the string-width stand-in (help layout, tables) measures as string-width does', async () => {
  const { exports } = await (await standIns()).bundleWithStandIns(
    "exports.standIn = require('string-width'); exports.real = require('dbcache-real:string-width');",
  );
  const { standIn, real } = exports as Record<'standIn' | 'real', (text: unknown) => number>;
  assert.notEqual(standIn, real);
  const inputs = [
    '',
    'check-timeout',
    '  -h, --host  Server host; a path starting with / is a socket',
    '\u001b[1mbold\u001b[22m',
    'tab\there',
    'del\u007f',
    'Straße',
    '漢字',
    'e\u0301',
    '\u{1F600} smile',
    '1\ufe0f\u20e3',
    undefined,
    7,
  ];
  for (const input of inputs) assert.equal(standIn(input), real(input), JSON.stringify(input));
});

test('the built CLI wraps prose for a terminal width as the source does (through the wrap-ansi stand-in)', async () => {
  const server = await sharedServer();
  const argv = ['check-timeout', ...cliFlags(server)];
  const env = { COLUMNS: '44', MYSQL_PWD: server.password };
  const built = await runCli(argv, env);
  const { io, captured } = memoryIO(env);
  assert.equal(await main(argv, io), 0);
  assert.equal(built.code, 0, built.stderr);
  // Tables aside, with the numbers made alike (connection ids and counters differ between runs).
  const prose = (text: string) => text.split('\n').filter((line) => !/[│┌└├─]/.test(line));
  const alike = (text: string) => prose(text).map((line) => line.replace(/\d+(\.\d+)?/g, '#'));
  assert.deepEqual(alike(built.stdout), alike(captured.stdout));
  const lines = prose(built.stdout);
  assert.ok(lines.length > 5 && lines.every((line) => line.length <= 44), built.stdout);
});

/** A group file of dist/ as the loader runs it: its one chunk's exports. */
function shippedGroup(file: string, id: string): unknown {
  const definitions = new Map<string, (...args: unknown[]) => void>();
  const define = (name: string, body: (...args: unknown[]) => void) => definitions.set(name, body);
  const source = readFileSync(join(PACKAGE_ROOT, 'dist', file), 'latin1');
  (new Script(source).runInThisContext() as (d: typeof define) => void)(define);
  const module = { exports: {} as unknown };
  definitions.get(id)?.(module.exports, require, module, file);
  return module.exports;
}

test('the group files shipped for long and wrap-ansi give what long and wrap-ansi give', () => {
  // long as mysql2 finds it (it is mysql2's dependency, not dbcache's).
  const RealLong = require(require.resolve('long', { paths: [dirname(require.resolve('mysql2'))] })) as new (
    low: number,
    high: number,
    unsigned: boolean,
  ) => { toString(): string };
  const ShippedLong = shippedGroup('long.cjs', 'dbcache-group:long') as typeof RealLong;
  for (const [low, high, unsigned] of [
    [0, -1, true],
    [-1, -1, false],
    [1, 0x200000, true],
  ] as const) {
    assert.equal(
      new ShippedLong(low, high, unsigned).toString(),
      new RealLong(low, high, unsigned).toString(),
    );
  }
  const realWrap = require('wrap-ansi') as (text: string, columns: number, options?: object) => string;
  const shippedWrap = shippedGroup('wrap-ansi.cjs', 'dbcache-group:wrap-ansi') as typeof realWrap;
  const text =
    '\u001b[33mwarning\u001b[39m Set wait_timeout to 600 (東京 \u{1F600}) so that pools recycle first.';
  for (const options of [{ hard: false, trim: true }, { hard: true }]) {
    assert.equal(shippedWrap(text, 16, options), realWrap(text, 16, options));
  }
});

test('check-timeout --json loads neither long nor wrap-ansi; wrapping for a terminal loads wrap-ansi', async () => {
  const server = await sharedServer();
  const traceDir = mkdtempSync(join(tmpdir(), 'dbcache-stand-ins-'));
  try {
    const bin = join(PACKAGE_ROOT, 'bin', 'dbcache.js');
    const env = { HOME: traceDir, MYSQL_PWD: server.password };
    const argv = ['check-timeout', ...cliFlags(server)];
    const json = await runBuilt(bin, [...argv, '--json'], env, { traceDir });
    assert.equal(json.code, 0, json.stderr);
    assert.ok('open.cjs' in json.loads, JSON.stringify(json.loads));
    assert.ok(!('long.cjs' in json.loads) && !('wrap-ansi.cjs' in json.loads), JSON.stringify(json.loads));
    const wrapped = await runBuilt(bin, argv, { ...env, COLUMNS: '44' }, { traceDir });
    assert.equal(wrapped.code, 0, wrapped.stderr);
    assert.ok(
      'wrap-ansi.cjs' in wrapped.loads && !('long.cjs' in wrapped.loads),
      JSON.stringify(wrapped.loads),
    );
  } finally {
    rmSync(traceDir, { recursive: true, force: true });
  }
});
