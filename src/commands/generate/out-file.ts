import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  linkSync,
  readlinkSync,
  realpathSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../../output/errors.ts';
import { ExitCode } from '../../output/exit-codes.ts';

/**
 * Writes `text` to `path` all at once: a temporary file in the same directory, then a rename
 * (with --force) or a hard link that fails if the file exists (without it), so a reader never
 * sees half a file and an existing file is never replaced by accident. With --force, a symbolic
 * link is followed (the file it points to is replaced, the link stays), and the new file keeps
 * the old one's mode and, where allowed, its owner: a 0600 settings file stays 0600.
 */
export function writeFileAtomically(
  path: string,
  text: string,
  options: { cwd: string; force: boolean },
): string {
  const given = resolve(options.cwd, path);
  const target = options.force ? followLinks(given) : given;
  const existing = options.force ? statIfExists(target) : undefined;
  const mode = existing ? existing.mode & 0o7777 : 0o644;
  const temp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    // Created with the final mode (less the umask), so the text is never more readable than that.
    writeFileSync(temp, text, { flag: 'wx', mode: mode & 0o777 });
  } catch (err) {
    throw fileError(err, target, 'write');
  }
  let renamed = false;
  try {
    if (existing) keepModeAndOwner(temp, existing);
    if (options.force) {
      renameSync(temp, target);
      renamed = true;
    } else {
      linkSync(temp, target);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UserError(
        `${target} already exists; nothing was written. Add --force to replace it.`,
        ExitCode.file,
        { cause: err },
      );
    }
    throw fileError(err, target, 'write');
  } finally {
    if (!renamed) {
      try {
        unlinkSync(temp);
      } catch {
        // nothing left to clean up
      }
    }
  }
  return target;
}

/** The path with every symbolic link followed, also when the last one points to no file yet. */
function followLinks(path: string): string {
  try {
    return realpathSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return path;
  }
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      link = readlinkSync(current);
    } catch {
      return current;
    }
    current = resolve(dirname(current), link);
  }
  return current;
}

function statIfExists(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The replaced file's permissions exactly (no umask), and its owner when this user may set it. */
function keepModeAndOwner(temp: string, existing: Stats): void {
  if (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.()) {
    try {
      chownSync(temp, existing.uid, existing.gid);
    } catch {
      // Only root may give a file away: the new file then belongs to whoever ran dbcache.
    }
  }
  // After chown, which clears set-id bits.
  chmodSync(temp, existing.mode & 0o7777);
}

function fileError(err: unknown, target: string, verb: string): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? `the directory ${dirname(target)} does not exist`
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : ((err as Error).message ?? String(err));
  return new UserError(`Could not ${verb} ${target}: ${reason}.`, ExitCode.file, { cause: err });
}
