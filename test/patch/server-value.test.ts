/**
 * readTimeoutValue() against the server: every value is written to an option file and read back
 * with `mariadbd --verbose --help`, which prints the validated value (or refuses to start), and
 * with `patch-config --list --json` (the option-file parser and the number rules together).
 * Besides fixed cases, a seeded batch of random values each run (DBCACHE_VALUE_SEED=N repeats
 * one); the server processes run a few at a time.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runPatchConfig } from '../../src/commands/patch-config/index.ts';
import type { ListReport } from '../../src/commands/patch-config/report.ts';
import { MAX_TIMEOUT, MAX_TIMEOUT_WINDOWS } from '../../src/duration.ts';
import { nodeFs } from '../../src/optionfile/index.ts';
import { readTimeoutValue } from '../../src/patch/server-value.ts';
import { memoryIO } from '../helpers/io.ts';

const dir = mkdtempSync(join(tmpdir(), 'dbcache-value-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const NBSP = '\u00a0';
const IDEOGRAPHIC_SPACE = '\u3000';
const BOM = '\ufeff';

/** The examples and the rules each one pins down (value as written after `wait_timeout = `). */
const FIXED = [
  '120',
  '+7',
  '007',
  '2k',
  '2K',
  '2m',
  '1g',
  '1e',
  '0',
  '',
  '99999999999',
  '31536000',
  '12.5',
  '0x10',
  'abc',
  '1 0',
  '600 ; x',
  '-5',
  '-0',
  '-',
  '+',
  `${NBSP}600`,
  `${IDEOGRAPHIC_SPACE}600`,
  `${BOM}600`,
  `"${NBSP}600"`,
  `600${NBSP}`,
  '99999999999999999999',
  '18446744073709551615',
  '18446744073709551616',
  '18014398509481985k',
  '2kx',
  'k',
  'K',
  '"  600"',
  '"\\t600"',
  '" -5"',
  '" -18446744073709551615"',
  '" +600"',
  '"+-5"',
  '"+ 5"',
  '"600 "',
  '16e',
  '17179869184g',
];

/** mulberry32: small, seeded, good enough to pick characters. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.DBCACHE_VALUE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RANDOM_VALUES = 64;

function randomValues(count: number, seed: number): string[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const maybe = (chance: number, text: () => string) => (next() < chance ? text() : '');
  const digits = () => {
    const length = pick([0, 1, 1, 2, 3, 4, 6, 9, 17, 19, 20, 21]);
    return Array.from({ length }, () => pick('0123456789'.split(''))).join('');
  };
  return Array.from({ length: count }, () => {
    const lead = maybe(0.3, () => pick([' ', '\\t', '  ', NBSP, IDEOGRAPHIC_SPACE, BOM]));
    const sign = maybe(0.3, () => pick(['+', '-', '--', '+-']));
    const tail = maybe(0.4, () => pick(['k', 'K', 'm', 'g', 'G', 't', 'p', 'e', 'E', 'x', '.', ' ', 's']));
    const more = maybe(0.2, () => pick(['x', 'k', '0', ' 1', 'b', NBSP]));
    const inner = `${lead}${sign}${digits()}${tail}${more}`;
    // Quoted, the white space around the value stays in it; unquoted, the parser trims it.
    return next() < 0.5 && !inner.includes('"') ? `"${inner}"` : inner;
  });
}

interface ServerVerdict {
  seconds: number | null;
  output: string;
}

/** What mariadbd makes of `wait_timeout = <written>`: its number, or null when it refuses to start. */
function serverReads(caseDir: string): Promise<ServerVerdict> {
  return new Promise((resolve, reject) => {
    const child = spawn('mariadbd', ['--defaults-file=./my.cnf', '--verbose', '--help'], {
      cwd: caseDir,
      env: { PATH: `${process.env.PATH}:/usr/sbin`, HOME: join(caseDir, 'no-home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      const stdout = Buffer.concat(out).toString('latin1');
      const line = stdout.split('\n').find((candidate) => candidate.split(/\s+/)[0] === 'wait-timeout');
      const stderr = Buffer.concat(err).toString('latin1');
      if (status !== 0 || line === undefined) resolve({ seconds: null, output: stderr.slice(0, 300) });
      else resolve({ seconds: Number(line.split(/\s+/)[1]), output: stderr.slice(0, 300) });
    });
  });
}

/** What `patch-config --list --json` says the file gives wait_timeout (null: refused or cannot tell). */
async function dbcacheReads(caseDir: string, flavor: 'mariadb' | undefined): Promise<number | null> {
  const { io, captured } = memoryIO({}, caseDir);
  await runPatchConfig(
    {
      list: true,
      dryRun: false,
      yes: false,
      force: false,
      offline: true,
      json: true,
      file: join(caseDir, 'my.cnf'),
      ...(flavor ? { flavor, serverVersion: '10.11' } : {}),
    },
    io,
    () => {
      throw new Error('offline');
    },
    { fs: nodeFs, platform: 'linux', home: join(caseDir, 'no-home'), serverProgram: () => null },
  );
  return (JSON.parse(captured.stdout) as ListReport).settings.wait_timeout?.seconds ?? null;
}

async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function compare(values: readonly string[], label: string) {
  const cases = values.map((written, index) => {
    const caseDir = join(dir, `${label}-${index}`);
    mkdirSync(caseDir);
    writeFileSync(join(caseDir, 'my.cnf'), `[mysqld]\nwait_timeout = ${written}\n`);
    return { written, caseDir };
  });
  const verdicts = await inParallel(cases, 4, ({ caseDir }) => serverReads(caseDir));
  const mismatches: string[] = [];
  for (const [index, { written, caseDir }] of cases.entries()) {
    const server = verdicts[index] as ServerVerdict;
    const ours = await dbcacheReads(caseDir, 'mariadb');
    if (ours !== server.seconds) {
      mismatches.push(`${JSON.stringify(written)}: mariadbd ${server.seconds ?? 'refuses'}, dbcache ${ours}`);
    }
    // Not knowing the flavor, dbcache may say "cannot tell", never another number.
    const unknown = await dbcacheReads(caseDir, undefined);
    if (unknown !== null && unknown !== server.seconds) {
      mismatches.push(
        `${JSON.stringify(written)} (flavor unknown): mariadbd ${server.seconds}, dbcache ${unknown}`,
      );
    }
  }
  return mismatches;
}

test("the issue's examples and the edge cases read as mariadbd reads them", async () => {
  assert.deepEqual(await compare(FIXED, 'fixed'), []);
});

test(`${RANDOM_VALUES} random values read as mariadbd reads them (seed ${SEED})`, async () => {
  const mismatches = await compare(randomValues(RANDOM_VALUES, SEED), 'random');
  assert.deepEqual(mismatches, [], `repeat with DBCACHE_VALUE_SEED=${SEED}`);
});

test('a clamped value says so; a bare name has no value; the Windows ceiling is lower', () => {
  const clamped = readTimeoutValue('0', MAX_TIMEOUT, 'mariadb');
  assert.ok(clamped.ok && clamped.adjusted?.includes('raises'));
  assert.deepEqual(readTimeoutValue('600'), { ok: true, seconds: 600, adjusted: null });
  const bare = readTimeoutValue(null);
  assert.ok(!bare.ok && /requires an argument/.test(bare.reason));
  const windows = readTimeoutValue('31536000', MAX_TIMEOUT_WINDOWS);
  assert.ok(windows.ok && windows.seconds === MAX_TIMEOUT_WINDOWS);
});

test('odd values the server reads its own way are never "as written"; for MySQL they cannot be told', () => {
  for (const odd of ['2kx', 'k', '18014398509481985k', '" -5"']) {
    const reading = readTimeoutValue(odd.replaceAll('"', ''), MAX_TIMEOUT, 'mariadb');
    assert.ok(reading.ok && reading.adjusted !== null, odd);
    const mysql = readTimeoutValue(odd.replaceAll('"', ''), MAX_TIMEOUT, 'mysql');
    assert.ok(!mysql.ok && mysql.kind === 'unsure', odd);
  }
  const refused = readTimeoutValue(`${NBSP}600`, MAX_TIMEOUT, 'mariadb');
  assert.ok(!refused.ok && refused.kind === 'refused');
});
