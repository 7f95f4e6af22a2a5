/**
 * Safe writes on real files: backup first (named so no !includedir reads it), a temporary file
 * in the same directory renamed over the original, owner and mode kept, symlinks followed. A
 * failure (or a kill) between writing the temporary file and the rename leaves the original
 * exactly as it was, and the server reads the old value.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import type { FileChange } from '../../src/patch/plan.ts';
import { backupName, writeChanges } from '../../src/patch/write.ts';
import { requireRoot } from '../helpers/root.ts';
import { printDefaults, printedValue } from './oracle.ts';

const work = mkdtempSync(join(tmpdir(), 'dbcache-write-'));
after(() => rmSync(work, { recursive: true, force: true }));
const NOW = new Date('2025-06-07T08:09:10.111Z');
const OLD = '[mysqld]\nwait_timeout = 28800\n';
const NEW = '[mysqld]\nwait_timeout = 600\n';

/** A server layout: main.cnf includes conf.d/, whose server.cnf is the file edited. */
function layout(): { dir: string; file: string; change: FileChange } {
  const dir = mkdtempSync(join(work, 'case-'));
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(join(dir, 'main.cnf'), '[client-server]\n!includedir conf.d/\n');
  const file = join(dir, 'conf.d', 'server.cnf');
  writeFileSync(file, OLD);
  chmodSync(file, 0o644);
  return {
    dir,
    file,
    change: { path: file, realPath: file, before: Buffer.from(OLD), after: Buffer.from(NEW) },
  };
}

const entries = (dir: string) => readdirSync(dir).sort();

test('the backup is named so that neither !includedir (Unix .cnf, Windows .ini/.cnf) nor a later run picks it up', () => {
  const name = backupName('/etc/mysql/conf.d/server.cnf', NOW);
  assert.equal(name, '/etc/mysql/conf.d/server.cnf.dbcache-20250607T080910Z.bak');
  assert.doesNotMatch(name, /\.(cnf|ini)$/);
  assert.equal(backupName('/etc/my.ini', NOW, 2), '/etc/my.ini.dbcache-20250607T080910Z-2.bak');
});

test('a write keeps mode and owner, leaves a backup the server does not read, and the server reads the new value', () => {
  const { dir, file, change } = layout();
  chmodSync(file, 0o640);
  requireRoot('keeping the owner of a file');
  const owner = { uid: 1234, gid: 4321 };
  chownSync(file, owner.uid, owner.gid);
  const [written] = writeChanges([change], NOW);
  assert.equal(readFileSync(file, 'latin1'), NEW);
  const stats = statSync(file);
  assert.deepEqual([stats.mode & 0o7777, stats.uid, stats.gid], [0o640, owner.uid, owner.gid]);
  assert.equal(written?.backup, `${file}.dbcache-20250607T080910Z.bak`);
  const backup = statSync(written?.backup ?? '');
  assert.deepEqual([backup.mode & 0o7777, backup.uid, backup.gid], [0o640, owner.uid, owner.gid]);
  assert.equal(readFileSync(written?.backup ?? '', 'latin1'), OLD);
  assert.deepEqual(entries(join(dir, 'conf.d')), ['server.cnf', 'server.cnf.dbcache-20250607T080910Z.bak']);
  const printed = printDefaults(dir, 'main.cnf', 'mariadb');
  assert.equal(
    printed.filter((line) => line.startsWith('--wait_timeout')).length,
    1,
    'the backup is not read',
  );
  assert.equal(printedValue(printed, 'wait'), '600');
  // A second backup in the same second does not overwrite the first.
  const again = writeChanges([{ ...change, before: Buffer.from(NEW), after: Buffer.from(OLD) }], NOW);
  assert.equal(again[0]?.backup, `${file}.dbcache-20250607T080910Z-1.bak`);
});

test('a symlink is followed: the target changes and the link stays a link', () => {
  const { dir, file, change } = layout();
  const link = join(dir, 'my.cnf');
  symlinkSync(file, link);
  writeChanges([{ ...change, path: link }], NOW);
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readFileSync(link, 'latin1'), NEW);
});

test('a failure between the temporary file and the rename leaves every file as it was, and no litter', () => {
  const { dir, file, change } = layout();
  const before = entries(join(dir, 'conf.d'));
  let seen: readonly { temp: string; target: string }[] = [];
  assert.throws(
    () =>
      writeChanges([change], NOW, {
        beforeRename(pending) {
          seen = pending;
          assert.equal(readFileSync(pending[0]?.temp ?? '', 'latin1'), NEW, 'the temporary file is complete');
          throw new Error('disk on fire');
        },
      }),
    (err: unknown) =>
      err instanceof UserError &&
      err.exitCode === ExitCode.file &&
      /disk on fire\. Nothing was written\.$/.test(err.message),
  );
  assert.match(seen[0]?.temp ?? '', /\/conf\.d\/\.server\.cnf\.dbcache-\d+-[0-9a-f]{8}\.tmp$/);
  assert.equal(readFileSync(file, 'latin1'), OLD);
  assert.deepEqual(entries(join(dir, 'conf.d')), before, 'temporary file and backup removed');
});

test('killed between the temporary file and the rename: the original is intact and the server reads the old value', () => {
  const { dir, file } = layout();
  const script = `
    import { writeChanges } from ${JSON.stringify(join(import.meta.dirname, '../../src/patch/write.ts'))};
    const file = ${JSON.stringify(file)};
    writeChanges([{ path: file, realPath: file, before: Buffer.from(${JSON.stringify(OLD)}), after: Buffer.from(${JSON.stringify(NEW)}) }], new Date(), {
      beforeRename: () => process.kill(process.pid, 'SIGKILL'),
    });`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: join(import.meta.dirname, '../..'),
  });
  assert.equal(run.signal, 'SIGKILL', run.stderr.toString());
  assert.equal(readFileSync(file, 'latin1'), OLD);
  const left = entries(join(dir, 'conf.d'));
  assert.ok(
    left.some((name) => /^\.server\.cnf\.dbcache-.*\.tmp$/.test(name)),
    `a temporary file is left: ${left}`,
  );
  assert.ok(
    left.some((name) => /^server\.cnf\.dbcache-\d{8}T\d{6}Z\.bak$/.test(name)),
    `the backup is left too (the README says so): ${left}`,
  );
  assert.ok(left.every((name) => name === 'server.cnf' || !name.endsWith('.cnf')));
  assert.equal(printedValue(printDefaults(dir, 'main.cnf', 'mariadb'), 'wait'), '28800');
});

test('two files: when the second cannot be replaced, the first is put back, and every file is as it was', () => {
  const first = layout();
  const second = layout();
  const before = [entries(join(first.dir, 'conf.d')), entries(join(second.dir, 'conf.d'))];
  assert.throws(
    () =>
      writeChanges([first.change, second.change], NOW, {
        beforeRename(pending) {
          // The second rename fails (a directory cannot replace a file); its original stays.
          const temp = pending[1]?.temp as string;
          unlinkSync(temp);
          mkdirSync(temp);
        },
      }),
    (err: unknown) => err instanceof UserError && /every file is as it was/.test(err.message),
  );
  assert.equal(readFileSync(first.file, 'latin1'), OLD);
  assert.equal(readFileSync(second.file, 'latin1'), OLD);
  // No backup, no temporary file: exactly the entries there were.
  assert.deepEqual([entries(join(first.dir, 'conf.d')), entries(join(second.dir, 'conf.d'))], before);
});

test('access rules beyond owner and mode stay: ACL entries and extended attributes are copied to the new file', () => {
  const { file, change } = layout();
  // Without the attr/acl tools: python3's os.setxattr, with a POSIX ACL in its binary form
  // (version 2; user::rw-, user:65534:r--, group::r--, mask::r--, other::---).
  const acl = [
    [0x01, 6, 0xffffffff],
    [0x02, 4, 65534],
    [0x04, 4, 0xffffffff],
    [0x10, 4, 0xffffffff],
    [0x20, 0, 0xffffffff],
  ];
  const set = spawnSync(
    'python3',
    [
      '-c',
      `import os, struct, sys
data = struct.pack('<I', 2) + b''.join(struct.pack('<HHI', *e) for e in ${JSON.stringify(acl)})
os.setxattr(sys.argv[1], 'system.posix_acl_access', data)
os.setxattr(sys.argv[1], 'user.owner-team', b'dba')`,
      file,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(set.status, 0, `python3 could not set the attributes: ${set.stderr}`);
  const attributes = () => {
    const run = spawnSync(
      'python3',
      [
        '-c',
        `import os, sys, json
print(json.dumps({k: os.getxattr(sys.argv[1], k).hex() for k in sorted(os.listxattr(sys.argv[1]))}))`,
        file,
      ],
      { encoding: 'utf8' },
    );
    return JSON.parse(run.stdout) as Record<string, string>;
  };
  const old = attributes();
  assert.deepEqual(Object.keys(old), ['system.posix_acl_access', 'user.owner-team']);
  writeChanges([change], NOW);
  assert.equal(readFileSync(file, 'latin1'), NEW);
  assert.deepEqual(attributes(), old);
  assert.equal(statSync(file).mode & 0o777, 0o640, 'the mode the ACL implies (its mask is the group bits)');
});

test('a file changed since it was read, or with several hard links, is refused before anything is written', () => {
  const changed = layout();
  writeFileSync(changed.file, '[mysqld]\nwait_timeout = 1\n');
  assert.throws(
    () => writeChanges([changed.change], NOW),
    /changed while dbcache was working on it.*Nothing was written/,
  );
  assert.deepEqual(entries(join(changed.dir, 'conf.d')), ['server.cnf']);
  const linked = layout();
  linkSync(linked.file, join(linked.dir, 'other-name'));
  assert.throws(() => writeChanges([linked.change], NOW), /has 2 hard links/);
  assert.equal(readFileSync(linked.file, 'latin1'), OLD);
});

test('a target that became a FIFO or a device after planning is not opened, not replaced, nothing created', () => {
  for (const make of [
    (path: string) => spawnSync('mkfifo', [path]),
    (path: string) => spawnSync('mknod', ['-m', '644', path, 'c', '1', '3']),
  ]) {
    const { dir, file, change } = layout();
    unlinkSync(file);
    assert.equal(make(file).status, 0);
    const before = entries(join(dir, 'conf.d'));
    assert.throws(
      () => writeChanges([change], NOW),
      (err: unknown) =>
        err instanceof UserError &&
        err.exitCode === ExitCode.file &&
        /is not a regular file/.test(err.message),
    );
    assert.ok(!statSync(file).isFile());
    assert.deepEqual(entries(join(dir, 'conf.d')), before);
  }
});
