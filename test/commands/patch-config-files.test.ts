/**
 * patch-config and the odd things a path may be: a device node (a config pointed at /dev/null to
 * disable it), a FIFO (which would block a reader forever), /dev/zero (which never ends), a
 * path that does not exist. Real nodes made with mknod/mkfifo (the suite runs as root).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type PatchConfigOptions, runPatchConfig } from '../../src/commands/patch-config/index.ts';
import type { ListReport } from '../../src/commands/patch-config/report.ts';
import { nodeFs } from '../../src/optionfile/index.ts';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { memoryIO } from '../helpers/io.ts';

const work = mkdtempSync(join(tmpdir(), 'dbcache-patch-files-'));
after(() => rmSync(work, { recursive: true, force: true }));

const OPTIONS: PatchConfigOptions = {
  list: false,
  dryRun: false,
  yes: true,
  force: false,
  offline: true,
  json: true,
  flavor: 'mariadb',
  serverVersion: '10.11',
  waitTimeout: 600,
};

function run(cwd: string, options: Partial<PatchConfigOptions>) {
  const { io, captured } = memoryIO({}, cwd);
  const world = {
    fs: nodeFs,
    platform: 'linux' as const,
    home: join(cwd, 'home'),
    serverProgram: () => null,
  };
  const outcome = runPatchConfig(
    { ...OPTIONS, ...options },
    io,
    () => {
      throw new Error('offline');
    },
    world,
  );
  return { outcome, captured };
}

function tree(): string {
  const dir = mkdtempSync(join(work, 'case-'));
  mkdirSync(join(dir, 'etc'));
  return dir;
}

function mknod(path: string, mode: string): void {
  const made = spawnSync('mknod', ['-m', mode, path, 'c', '1', '3']);
  assert.equal(made.status, 0, `mknod: ${made.stderr}`);
}

const refusedAsNotAFile = (err: unknown) =>
  err instanceof UserError && err.exitCode === ExitCode.file && /is not a regular file/.test(err.message);

for (const mode of ['666', '644']) {
  test(`a config linked to a null device (mode ${mode}) is refused, exit 6, and stays a device`, async () => {
    const dir = tree();
    mknod(join(dir, 'null'), mode);
    symlinkSync(join(dir, 'null'), join(dir, 'etc', 'my.cnf'));
    const before = readdirSync(join(dir, 'etc')).concat(readdirSync(dir)).sort();
    await assert.rejects(run(dir, { file: join(dir, 'etc', 'my.cnf') }).outcome, refusedAsNotAFile);
    assert.ok(statSync(join(dir, 'null')).isCharacterDevice(), 'the device is still a device');
    assert.ok(lstatSync(join(dir, 'etc', 'my.cnf')).isSymbolicLink());
    assert.deepEqual(
      readdirSync(join(dir, 'etc')).concat(readdirSync(dir)).sort(),
      before,
      'nothing created',
    );
  });
}

test('a FIFO is refused at once (never opened, so nothing waits for a writer)', {
  timeout: 20_000,
}, async () => {
  const dir = tree();
  const fifo = join(dir, 'etc', 'my.cnf');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  await assert.rejects(run(dir, { file: fifo }).outcome, refusedAsNotAFile);
  assert.ok(statSync(fifo).isFIFO());
  assert.deepEqual(readdirSync(join(dir, 'etc')), ['my.cnf']);
});

test('/dev/zero is refused at once (never read: it has no end)', { timeout: 20_000 }, async () => {
  const dir = tree();
  await assert.rejects(run(dir, { file: '/dev/zero' }).outcome, refusedAsNotAFile);
});

test('a FIFO included by the named file: --list shows it, unopened, with a warning; a patch is refused', {
  timeout: 20_000,
}, async () => {
  const dir = tree();
  const main = join(dir, 'etc', 'my.cnf');
  assert.equal(spawnSync('mkfifo', [join(dir, 'etc', 'pipe.cnf')]).status, 0);
  writeFileSync(main, `[mysqld]\nwait_timeout = 100\n!include ${join(dir, 'etc', 'pipe.cnf')}\n`);
  const list = run(dir, { list: true, file: main });
  assert.equal(await list.outcome, ExitCode.ok);
  const report = JSON.parse(list.captured.stdout) as ListReport;
  assert.deepEqual(
    report.files.map((file) => file.status),
    ['read', 'not-a-file'],
  );
  assert.ok(report.warnings.some((warning) => /pipe\.cnf.*FIFO.*not a regular file/.test(warning)));
  await assert.rejects(run(dir, { file: main }).outcome, refusedAsNotAFile);
});

test('--file with a path that does not exist says so (not that the server would not start)', async () => {
  const dir = tree();
  const missing = join(dir, 'etc', 'nope.cnf');
  for (const options of [{}, { list: true }]) {
    await assert.rejects(
      run(dir, { file: missing, ...options }).outcome,
      (err: unknown) =>
        err instanceof UserError &&
        err.exitCode === ExitCode.file &&
        err.message.startsWith(`${missing} does not exist.`) &&
        !/would not start/.test(err.message),
    );
  }
  assert.deepEqual(readdirSync(join(dir, 'etc')), []);
});
