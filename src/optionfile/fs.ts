/**
 * The file-system calls the option-file model needs, injected so tests can use an in-memory
 * tree. Failures throw an Error with a Node-style `code` ('ENOENT', 'EACCES', 'ENOTDIR', …).
 * Synchronous: a handful of small files read once at start-up.
 */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  type Stats,
  statSync,
} from 'node:fs';

export interface OptionFileStat {
  /** Permission and type bits, as in stat(2): the server ignores world-writable files. */
  mode: number;
  isFile: boolean;
  isDirectory: boolean;
  isSymbolicLink: boolean;
  /** What a file that is neither a regular file nor a directory is ('FIFO', 'character device', …); else null. */
  special?: string | null;
}

/** Thrown by readFile for a path that is not a regular file (it was swapped after stat()). */
export const NOT_REGULAR = 'ENOTREG';

export interface OptionFileSystem {
  readFile(path: string): Buffer;
  /** Follows symbolic links, like the server's my_stat(). */
  stat(path: string): OptionFileStat;
  lstat(path: string): OptionFileStat;
  /** Entry names, in no particular order. */
  readdir(path: string): string[];
  exists(path: string): boolean;
  realpath(path: string): string;
}

function specialKind(stats: Stats): string | null {
  if (stats.isFile() || stats.isDirectory() || stats.isSymbolicLink()) return null;
  if (stats.isFIFO()) return 'FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'character device';
  if (stats.isBlockDevice()) return 'block device';
  if (stats.isSocket()) return 'socket';
  return 'special file';
}

function toStat(stats: Stats): OptionFileStat {
  return {
    mode: stats.mode,
    isFile: stats.isFile(),
    isDirectory: stats.isDirectory(),
    isSymbolicLink: stats.isSymbolicLink(),
    special: specialKind(stats),
  };
}

/**
 * Reads a regular file only: opened without blocking (a FIFO would wait for a writer forever)
 * and checked on the open descriptor, so a device or FIFO put in its place after stat() is
 * never read (/dev/zero would never end).
 */
function readRegularFile(path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      throw Object.assign(
        new Error(`${path} is a ${specialKind(stats) ?? 'directory'}, not a regular file`),
        {
          code: NOT_REGULAR,
        },
      );
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

export const nodeFs: OptionFileSystem = {
  readFile: (path) => readRegularFile(path),
  stat: (path) => toStat(statSync(path)),
  lstat: (path) => toStat(lstatSync(path)),
  readdir: (path) => readdirSync(path),
  exists: (path) => existsSync(path),
  realpath: (path) => realpathSync(path),
};

/** The file behind `path` with symbolic links resolved, or null when there is none. */
export function realPathOrNull(fs: OptionFileSystem, path: string): string | null {
  try {
    return fs.realpath(path);
  } catch {
    return null;
  }
}
