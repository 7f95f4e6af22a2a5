import { randomBytes } from 'node:crypto';
import { linkSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../../output/errors.ts';
import { ExitCode } from '../../output/exit-codes.ts';

/**
 * Writes `text` to `path` all at once: a temporary file in the same directory, then a rename
 * (with --force) or a hard link that fails if the file exists (without it), so a reader never
 * sees half a file and an existing file is never replaced by accident.
 */
export function writeFileAtomically(
  path: string,
  text: string,
  options: { cwd: string; force: boolean },
): string {
  const target = resolve(options.cwd, path);
  const temp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    writeFileSync(temp, text, { flag: 'wx', mode: 0o644 });
  } catch (err) {
    throw fileError(err, target, 'write');
  }
  let renamed = false;
  try {
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
