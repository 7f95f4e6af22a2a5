/**
 * The loader's code cache (src/startup/loader.ts) only ever saves time: a missing, damaged,
 * foreign or stale cache, or a home that cannot be written, gives the same output as a warm
 * cache, and the cache is never read from or written to a place another user controls.
 * The built CLI runs from a copy in a path with spaces.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, sharedServer } from '../helpers/server.ts';
import { cliFlags } from '../helpers/target.ts';
import { type BuiltCopy, copyOfBuild, runBuilt } from './built.ts';

/** Another user (the tests run as root, as CI does: needed to make files another user owns). */
const NOBODY = 65534;

let copy: BuiltCopy;
let traceDir: string;
let helpText: string;
/** What `--version` prints: the run these tests use, which loads the start-up code and yargs every time (help may come from the help cache). */
let versionText: string;

before(async () => {
  assert.equal(process.getuid?.(), 0, 'these tests make files owned by another user, which needs root');
  copy = copyOfBuild();
  traceDir = mkdtempSync(join(copy.dir, 'traces-'));
  chmodSync(traceDir, 0o777);
  const reference = await runBuilt(copy.bin, ['--help'], { HOME: freshHome() }, { traceDir });
  assert.equal(reference.code, 0);
  helpText = reference.stdout;
  const version = await runBuilt(copy.bin, ['--version'], { HOME: freshHome() }, { traceDir });
  assert.equal(version.code, 0);
  versionText = version.stdout;
});
after(() => copy?.remove());

function freshHome(): string {
  const home = mkdtempSync(join(copy.dir, 'home-'));
  chmodSync(home, 0o755);
  return home;
}

const MAGIC = 'dbcache-v8-2';

/** A cache file's parts (our header: magic, then the lengths of the key, the note and V8's data). */
function cacheParts(file: Buffer): { key: Buffer; madeBy: string[]; data: Buffer } {
  const at = MAGIC.length;
  const [keyLength, noteLength] = [file.readUInt32LE(at), file.readUInt32LE(at + 4)];
  const header = at + 12;
  return {
    key: file.subarray(header, header + keyLength),
    madeBy: file.toString('latin1', header + keyLength, header + keyLength + noteLength).split('\n'),
    data: file.subarray(header + keyLength + noteLength),
  };
}

/** A cache file with these parts, as the loader writes it. */
function cacheFile({ key, madeBy, data }: { key: Buffer; madeBy: string[]; data: Buffer }): Buffer {
  const note = Buffer.from(madeBy.join('\n'), 'latin1');
  const header = Buffer.alloc(MAGIC.length + 12);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(key.length, MAGIC.length);
  header.writeUInt32LE(note.length, MAGIC.length + 4);
  header.writeUInt32LE(data.length, MAGIC.length + 8);
  return Buffer.concat([header, key, note, data]);
}

function v8DataLength(file: Buffer): number {
  return cacheParts(file).data.length;
}

const cacheDir = (home: string) => join(home, '.cache', 'dbcache');
const cacheFiles = (dir: string, group: string) =>
  readdirSync(dir).filter((name) => name.startsWith(`${group}.`) && name.endsWith('.v8'));

/** `--version` as a user would run it; asserts the output is the usual one. */
async function version(env: Record<string, string | undefined>, uid?: number) {
  const result = await runBuilt(copy.bin, ['--version'], env, {
    traceDir,
    ...(uid !== undefined ? { uid } : {}),
  });
  assert.equal(result.stderr, '');
  assert.equal(result.code, 0);
  assert.equal(result.stdout, versionText);
  return result;
}

test('a missing cache: the first run writes it (0700 directory, 0600 files), the next runs use it', async () => {
  const home = freshHome();
  assert.equal((await version({ HOME: home })).loads['core.cjs'], 'no cache');
  const dir = cacheDir(home);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const [file] = cacheFiles(dir, 'core');
  assert.ok(file, 'a cache for the core group');
  assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600);
  assert.equal((await version({ HOME: home })).loads['core.cjs'], 'cached');

  // A command that connects loads three groups; each is cached after its first run.
  const server = await sharedServer();
  const args = ['check-timeout', '--json', ...cliFlags(server)];
  const first = await runBuilt(copy.bin, args, { HOME: home }, { traceDir });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.loads, {
    'core.cjs': 'cached',
    'check-timeout.cjs': 'no cache',
    'open.cjs': 'no cache',
  });
  const second = await runBuilt(copy.bin, args, { HOME: home }, { traceDir });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(second.loads, {
    'core.cjs': 'cached',
    'check-timeout.cjs': 'cached',
    'open.cjs': 'cached',
  });
  assert.equal(JSON.parse(second.stdout).global.wait_timeout, JSON.parse(first.stdout).global.wait_timeout);
});

test('a cache grows with use: a run of another kind writes it again with what it compiled besides, once', async () => {
  const home = freshHome();
  const dir = cacheDir(home);
  const file = (group: string) => join(dir, cacheFiles(dir, group)[0] as string);
  const seen = (group: string) => {
    const path = file(group);
    return { ...cacheParts(readFileSync(path)), stamp: `${statSync(path).ino}:${statSync(path).mtimeMs}` };
  };
  const server = await sharedServer();
  const checkTimeout = async (flags: string[], expectedCode: number) => {
    const result = await runBuilt(
      copy.bin,
      ['check-timeout', '--json', ...flags],
      { HOME: home },
      { traceDir },
    );
    assert.equal(result.code, expectedCode, result.stderr);
    return result;
  };

  // --version first (the start-up code and yargs): the core group's cache holds what it used.
  await version({ HOME: home });
  const afterVersion = seen('core');
  assert.deepEqual(afterVersion.madeBy, ['cli core: succeeded']);

  // A check whose server cannot be reached uses more of the core group (and the driver's): the
  // core cache is written again, bigger, and says which two kinds of run made it.
  const refused = await checkTimeout(['--no-defaults', '-h', '127.0.0.1', '-P', String(await freePort())], 3);
  assert.equal(refused.loads['core.cjs'], 'cached');
  const afterRefused = seen('core');
  assert.deepEqual(afterRefused.madeBy, ['cli core: succeeded', 'check-timeout core open: failed']);
  assert.ok(afterRefused.data.length > afterVersion.data.length, 'what the check compiled besides is in it');
  const driverAfterRefused = seen('open');

  // A check that reaches the server and queries it adds the query path to the driver's cache.
  const reached = await checkTimeout(cliFlags(server), 0);
  assert.deepEqual(reached.loads, {
    'core.cjs': 'cached',
    'check-timeout.cjs': 'cached',
    'open.cjs': 'cached',
  });
  const driver = seen('open');
  assert.deepEqual(driver.madeBy, ['check-timeout core open: failed', 'check-timeout core open: succeeded']);
  assert.ok(driver.data.length > driverAfterRefused.data.length);

  // The same kind of run again writes nothing: each kind adds itself once.
  const before = ['core', 'check-timeout', 'open'].map((group) => seen(group).stamp);
  await checkTimeout(cliFlags(server), 0);
  await version({ HOME: home });
  assert.deepEqual(
    ['core', 'check-timeout', 'open'].map((group) => seen(group).stamp),
    before,
  );

  // A cache made by as many kinds of run as the loader keeps track of stays as it is.
  const { key, data } = cacheParts(readFileSync(file('core')));
  const madeBy = Array.from({ length: 16 }, (_, index) => `kind ${index}: succeeded`);
  writeFileSync(file('core'), cacheFile({ key, madeBy, data }));
  const capped = seen('core').stamp;
  const generate = await runBuilt(
    copy.bin,
    ['generate', 'django', '--timeout', '100'],
    { HOME: home },
    { traceDir },
  );
  assert.equal(generate.code, 0, generate.stderr);
  assert.equal(generate.loads['core.cjs'], 'cached');
  assert.equal(seen('core').stamp, capped);
});

test('$XDG_CACHE_HOME is used when absolute and ignored when relative, as the XDG rules say', async () => {
  const home = freshHome();
  const xdg = join(home, 'xdg');
  await version({ HOME: home, XDG_CACHE_HOME: xdg });
  assert.equal(cacheFiles(join(xdg, 'dbcache'), 'core').length, 1);
  await version({ HOME: home, XDG_CACHE_HOME: 'relative/cache' });
  assert.equal(cacheFiles(cacheDir(home), 'core').length, 1);
});

test('a corrupt cache (damaged, truncated or not ours) is ignored and replaced', async () => {
  const home = freshHome();
  await version({ HOME: home });
  const dir = cacheDir(home);
  const path = join(dir, cacheFiles(dir, 'core')[0] as string);
  const good = readFileSync(path);

  // V8's own header damaged (its magic number, version and flag hashes, source length, data
  // length): V8 rejects the data. (Damage further in, with every header intact, only a failing
  // disk or a program of this user can make: see the loader.)
  const dataStart = good.length - v8DataLength(good);
  for (const offset of [0, 4, 8, 12, 16]) {
    const damaged = Buffer.from(good);
    damaged.writeUInt32LE((damaged.readUInt32LE(dataStart + offset) ^ 0x5a5a5a5a) >>> 0, dataStart + offset);
    writeFileSync(path, damaged);
    assert.equal(
      (await version({ HOME: home })).loads['core.cjs'],
      'cache rejected',
      `V8 header offset ${offset}`,
    );
    assert.equal(
      (await version({ HOME: home })).loads['core.cjs'],
      'cached',
      'the damaged cache was replaced',
    );
  }
  const zeroed = Buffer.from(good);
  zeroed.fill(0, dataStart);
  writeFileSync(path, zeroed);
  assert.equal((await version({ HOME: home })).loads['core.cjs'], 'cache rejected');

  for (const broken of [
    good.subarray(0, good.length >> 1),
    Buffer.from('not a cache at all'),
    Buffer.alloc(0),
  ]) {
    writeFileSync(path, broken);
    assert.equal((await version({ HOME: home })).loads['core.cjs'], 'no cache');
    assert.equal((await version({ HOME: home })).loads['core.cjs'], 'cached');
  }
});

test('a cache file or directory owned by another user, or writable by others, is neither read nor written', async () => {
  const home = freshHome();
  await version({ HOME: home });
  const dir = cacheDir(home);
  const path = join(dir, cacheFiles(dir, 'core')[0] as string);

  // A file of another user, or one others may write, in our directory: ignored, then replaced by ours.
  chownSync(path, NOBODY, NOBODY);
  assert.equal((await version({ HOME: home })).loads['core.cjs'], 'no cache');
  assert.equal(statSync(path).uid, 0);
  chmodSync(path, 0o666);
  assert.equal((await version({ HOME: home })).loads['core.cjs'], 'no cache');
  assert.equal(statSync(path).mode & 0o777, 0o600);

  // A directory of another user, or one others may write: its files are not read, nothing is written.
  for (const [owner, mode] of [
    [NOBODY, 0o700],
    [0, 0o777],
  ] as const) {
    await version({ HOME: home });
    chownSync(dir, owner, owner);
    chmodSync(dir, mode);
    const before = statSync(path).mtimeMs;
    const listing = readdirSync(dir).sort();
    assert.equal((await version({ HOME: home })).loads['core.cjs'], 'no cache');
    assert.deepEqual(readdirSync(dir).sort(), listing);
    assert.equal(statSync(path).mtimeMs, before);
    chownSync(dir, 0, 0);
    chmodSync(dir, 0o700);
  }

  // The same directory as seen by another user: owned by root, so not that user's cache.
  const result = await version({ HOME: home }, NOBODY);
  assert.equal(result.loads['core.cjs'], 'no cache');
});

test('stale entries: caches of other keys are pruned to the newest two per group, and flags are part of the key', async () => {
  const home = freshHome();
  const dir = cacheDir(home);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const hour = 3600;
  const now = Date.now() / 1000;
  const stale = ['core.old1.v8', 'core.old2.v8', 'core.old3.v8', 'core.old4.v8'];
  stale.forEach((name, index) => {
    writeFileSync(join(dir, name), 'an older build', { mode: 0o600 });
    utimesSync(join(dir, name), now - (index + 1) * hour, now - (index + 1) * hour);
  });
  writeFileSync(join(dir, 'open.other.v8'), 'another group', { mode: 0o600 });
  writeFileSync(join(dir, '.123.456.tmp'), 'an interrupted write', { mode: 0o600 });
  utimesSync(join(dir, '.123.456.tmp'), now - 2 * hour, now - 2 * hour);
  writeFileSync(join(dir, '.789.012.tmp'), 'a write in progress', { mode: 0o600 });

  assert.equal((await version({ HOME: home })).loads['core.cjs'], 'no cache');
  const files = readdirSync(dir).sort();
  const [current] = cacheFiles(dir, 'core').filter((name) => !stale.includes(name));
  assert.ok(current);
  // --version also loads the CLI's yargs group (check-timeout's fast path does not).
  const [cli] = cacheFiles(dir, 'cli');
  assert.ok(cli);
  assert.deepEqual(
    files,
    [current, cli, '.789.012.tmp', 'core.old1.v8', 'core.old2.v8', 'open.other.v8'].sort(),
  );

  // Other flags (NODE_OPTIONS) are another key: a cache of its own, and the first one stays valid.
  const flagged = await version({ HOME: home, NODE_OPTIONS: '--no-deprecation' });
  assert.equal(flagged.loads['core.cjs'], 'no cache');
  assert.equal((await version({ HOME: home, NODE_OPTIONS: '--no-deprecation' })).loads['core.cjs'], 'cached');
  assert.equal((await version({ HOME: home })).loads['core.cjs'], 'cached');
  assert.ok(cacheFiles(dir, 'core').includes(current));
});

test('a home the user may not write: every run works and compiles from source', async () => {
  const home = freshHome(); // root's, 0755: another user may read it but not write it
  for (let run = 0; run < 2; run++) {
    assert.equal((await version({ HOME: home }, NOBODY)).loads['core.cjs'], 'no cache');
  }
  assert.deepEqual(readdirSync(home), []);
  // The same with no home at all.
  assert.equal((await version({}, NOBODY)).loads['core.cjs'], 'no cache');
});

test('help is given again from the cache byte for byte, without loading yargs; the width and the locale are part of its key', async () => {
  const home = freshHome();
  const dir = cacheDir(home);
  const asked = async (args: string[], env: Record<string, string> = {}) => {
    const result = await runBuilt(copy.bin, args, { HOME: home, ...env }, { traceDir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    return { text: result.stdout, yargs: 'cli.cjs' in result.loads };
  };
  for (const args of [
    ['--help'],
    ['check-timeout', '--help'],
    ['probe-idle', '--help'],
    ['set-timeout', '--help'],
  ]) {
    const first = await asked(args);
    assert.ok(first.yargs, `${args.join(' ')}: the first time yargs renders it`);
    const again = await asked(args);
    assert.deepEqual(again, { text: first.text, yargs: false }, `${args.join(' ')}: from the cache`);
    // Another width is another text: yargs renders it, then it is cached too.
    const narrow = await asked(args, { COLUMNS: '60' });
    assert.ok(narrow.yargs && narrow.text !== first.text, `${args.join(' ')} at 60 columns`);
    assert.deepEqual(await asked(args, { COLUMNS: '60' }), { text: narrow.text, yargs: false });
  }
  assert.equal(helpText, (await asked(['--help'])).text);
  // Given by the loader itself: not even the start-up code is loaded.
  const cached = await runBuilt(copy.bin, ['--help'], { HOME: home }, { traceDir });
  assert.deepEqual([cached.stdout, cached.loads], [helpText, {}]);

  // A damaged, truncated or foreign help file is ignored: yargs renders the help, and the file is
  // replaced. (Only one holds the default-width text so far.)
  const helpFiles = readdirSync(dir).filter((name) => name.startsWith('help.'));
  const path = join(
    dir,
    helpFiles.find((name) => readFileSync(join(dir, name)).includes(helpText)) as string,
  );
  const good = readFileSync(path);
  for (const broken of [
    Buffer.concat([good.subarray(0, good.length - 10), Buffer.from('0123456789x')]),
    good.subarray(0, good.length >> 1),
    Buffer.alloc(0),
  ]) {
    writeFileSync(path, broken);
    assert.deepEqual(await asked(['--help']), { text: helpText, yargs: true });
    assert.deepEqual(await asked(['--help']), { text: helpText, yargs: false });
  }
  chownSync(path, NOBODY, NOBODY);
  assert.deepEqual(await asked(['--help']), { text: helpText, yargs: true });
  assert.equal(statSync(path).uid, 0, "replaced by this user's own");

  // Only help that went well is kept: an unknown flag is a usage error, rendered every time.
  for (let run = 0; run < 2; run++) {
    const typo = await runBuilt(copy.bin, ['check-timeout', '--jsn'], { HOME: home }, { traceDir });
    assert.equal(typo.code, 2);
    assert.ok('cli.cjs' in typo.loads);
  }
});
