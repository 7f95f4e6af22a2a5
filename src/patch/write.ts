/**
 * Writes planned changes so that a reader (the server starting) only ever sees the old file or
 * the new one: a backup first, then each new version in a temporary file in the same
 * directory, given the original's owner, mode, ACL, extended attributes and SELinux label,
 * flushed to disk, and renamed over the original. Neither the backup (`.bak`) nor a temporary
 * file left by a crash (`.tmp`) ends in `.cnf` or `.ini`, so no `!includedir` ever reads them.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../output/errors.ts';
import { ExitCode } from '../output/exit-codes.ts';
import type { FileChange } from './model.ts';

export interface WriteHooks {
  /**
   * Runs when every temporary file is written and flushed and before the first rename: the
   * moment at which a crash must leave the originals intact. Tests fail or kill here.
   */
  beforeRename?(pending: readonly { temp: string; target: string }[]): void;
}

export interface WrittenFile {
  path: string;
  realPath: string;
  backup: string;
}

interface Pending {
  change: FileChange;
  stats: Stats;
  backup?: string;
  temp?: string;
  renamed: boolean;
}

/** `50-server.cnf` → `50-server.cnf.dbcache-20250102T030405Z.bak`. */
export function backupName(target: string, now: Date, attempt = 0): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${target}.dbcache-${stamp}${attempt === 0 ? '' : `-${attempt}`}.bak`;
}

export function writeChanges(
  changes: readonly FileChange[],
  now: Date,
  hooks: WriteHooks = {},
): WrittenFile[] {
  const pending: Pending[] = changes.map((change) => ({
    change,
    stats: checkTarget(change),
    renamed: false,
  }));
  try {
    for (const item of pending) item.backup = writeBackup(item, now);
    for (const item of pending) item.temp = writeTemp(item.change.realPath, item.change.after, item.stats);
    hooks.beforeRename?.(
      pending.map((item) => ({ temp: item.temp as string, target: item.change.realPath })),
    );
    for (const item of pending) {
      renameOver(item.temp as string, item.change.realPath);
      item.renamed = true;
    }
  } catch (err) {
    throw undo(pending, err);
  }
  for (const item of pending) {
    if (!readFileSync(item.change.realPath).equals(item.change.after)) {
      throw new UserError(
        `${item.change.realPath} does not hold what dbcache wrote when read back: another program may be writing it. The original is in ${item.backup}.`,
        ExitCode.file,
      );
    }
  }
  return pending.map((item) => ({
    path: item.change.path,
    realPath: item.change.realPath,
    backup: item.backup as string,
  }));
}

/** The file is still what was planned from, and replacing it keeps it whole. */
function checkTarget(change: FileChange): Stats {
  const target = change.realPath;
  let stats: Stats;
  let current: Buffer;
  try {
    stats = statSync(target);
    if (!stats.isFile()) {
      throw new UserError(
        `${target} is not a regular file (a device, FIFO or socket): dbcache does not replace it. Nothing was written.`,
        ExitCode.file,
      );
    }
    current = readFileSync(target);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${fileError(err, `read ${target}`).message} Nothing was written.`, ExitCode.file, {
      cause: err,
    });
  }
  if (!current.equals(change.before)) {
    throw new UserError(
      `${target} changed while dbcache was working on it. Run dbcache again. Nothing was written.`,
      ExitCode.file,
    );
  }
  if (stats.nlink > 1) {
    throw new UserError(
      `${target} has ${stats.nlink} hard links: replacing it would leave the other names with the old contents. Edit it by hand, or make it a single file. Nothing was written.`,
      ExitCode.file,
    );
  }
  return stats;
}

function writeBackup(item: Pending, now: Date): string {
  for (let attempt = 0; ; attempt++) {
    const path = backupName(item.change.realPath, now, attempt);
    try {
      writeNew(path, item.change.before, item.stats, item.change.realPath, false);
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        if (attempt < 100) continue;
      } else {
        removeQuietly(path);
      }
      throw fileError(err, `write the backup ${path}`);
    }
  }
}

function writeTemp(target: string, bytes: Buffer, stats: Stats): string {
  const temp = join(
    dirname(target),
    `.${basename(target)}.dbcache-${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    writeNew(temp, bytes, stats, target, true);
  } catch (err) {
    removeQuietly(temp);
    throw fileError(
      err,
      `write a temporary file next to ${target} (dbcache writes through one so that a crash never leaves half a file)`,
    );
  }
  return temp;
}

/**
 * Creates `path` (it must not exist) with the owner, mode and other access metadata of
 * `original` (whose stats are `like`), then flushes bytes and metadata to disk together. When
 * it replaces the original (`replaces`), metadata it cannot keep is an error; a backup keeps
 * what it can.
 */
function writeNew(path: string, bytes: Buffer, like: Stats, original: string, replaces: boolean): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
    if (process.platform !== 'win32') {
      try {
        fchownSync(fd, like.uid, like.gid);
      } catch (err) {
        const owner = like.uid === process.getuid?.();
        if (replaces && !(owner && like.gid === process.getgid?.())) {
          // Only root gives a file away; an owner may give it only a group they belong to.
          const who = owner
            ? `as root or as a member of the file's group (gid ${like.gid})`
            : "as root or as the file's owner";
          throw new UserError(
            `Cannot give the new ${original} the owner and group of the old one (uid ${like.uid}, gid ${like.gid}): ${(err as Error).message}. Run dbcache ${who}.`,
            ExitCode.file,
            { cause: err },
          );
        }
      }
      // Before the mode: cp opens the file to write, which a read-only mode forbids (but to root).
      const failure = copyAccessAttributes(original, path);
      if (failure !== null && replaces) {
        throw new UserError(
          `Cannot give the new ${original} the ACL, extended attributes or SELinux label of the old one (${failure}). dbcache does not replace a file whose access rules it cannot keep; edit it by hand.`,
          ExitCode.file,
        );
      }
      fchmodSync(fd, like.mode & 0o7777);
    }
    // After the metadata calls, so that a crash never leaves a new file with the wrong owner or mode.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

let gnuCp: boolean | undefined;

/**
 * Copies POSIX ACLs (they go with the mode), extended attributes and, where SELinux is on, the
 * security context from `from` onto the existing file `to`, without touching its bytes: GNU
 * cp's `--attributes-only`, which Node has no call for. Returns why it failed, or null. Where
 * there is no GNU cp (macOS, BusyBox) nothing is copied: owner, group and mode only.
 */
function copyAccessAttributes(from: string, to: string): string | null {
  if (process.platform !== 'linux') return null;
  gnuCp ??= /GNU coreutils/.test(spawnSync('cp', ['--version'], { encoding: 'utf8' }).stdout ?? '');
  if (!gnuCp) return null;
  const selinux = existsSync('/sys/fs/selinux/enforce');
  const run = spawnSync(
    'cp',
    ['--attributes-only', `--preserve=mode,xattr${selinux ? ',context' : ''}`, '--', from, to],
    { encoding: 'utf8' },
  );
  if (run.error) return run.error.message;
  return run.status === 0 ? null : run.stderr.trim() || `cp exited with ${run.status}`;
}

function renameOver(temp: string, target: string): void {
  renameSync(temp, target);
  try {
    const dir = openSync(dirname(target), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Not every system can flush a directory (Windows); the rename itself is atomic.
  }
}

/** After a failure: put renamed files back, remove temporary files, and say what state things are in. */
function undo(pending: readonly Pending[], err: unknown): Error {
  const failures: string[] = [];
  for (const item of pending) {
    if (item.temp !== undefined && !item.renamed) removeQuietly(item.temp);
    if (item.renamed) {
      try {
        renameOver(writeTemp(item.change.realPath, item.change.before, item.stats), item.change.realPath);
        // Put back as it was: the backup has done its job, and "as it was" means without it.
        if (item.backup !== undefined) removeQuietly(item.backup);
      } catch (restoreErr) {
        failures.push(
          `${item.change.realPath} (its backup is ${item.backup}): ${(restoreErr as Error).message}`,
        );
      }
    } else if (item.backup !== undefined) {
      removeQuietly(item.backup);
    }
  }
  const cause = sentence(err instanceof UserError ? err.message : describe(err));
  const replaced = pending.some((item) => item.renamed);
  const state =
    failures.length > 0
      ? `Putting back the files already replaced failed, so these are NOT as they were: ${failures.join('; ')}.`
      : replaced
        ? 'The files already replaced were put back: every file is as it was.'
        : 'Nothing was written.';
  return new UserError(`${cause} ${state}`, ExitCode.file, { cause: err });
}

/** Removes a file dbcache created (a temporary file name is ours even if something put a directory there). */
function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    try {
      rmdirSync(path);
    } catch {
      // already gone
    }
  }
}

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function fileError(err: unknown, what: string): Error {
  if (err instanceof UserError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied (run dbcache as root or as the owner of the file)'
      : code === 'EROFS'
        ? 'the file system is read-only'
        : code === 'ENOSPC'
          ? 'the disk is full'
          : describe(err);
  return new UserError(`Could not ${what}: ${reason}.`, ExitCode.file, { cause: err });
}
