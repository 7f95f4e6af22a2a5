/**
 * The file-system calls the option-file model needs, injected so tests can use an in-memory
 * tree. Failures throw an Error with a Node-style `code` ('ENOENT', 'EACCES', 'ENOTDIR', …).
 * Synchronous: a handful of small files read once at start-up.
 */
import {
  existsSync,
  lstatSync,
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
}

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

function toStat(stats: Stats): OptionFileStat {
  return {
    mode: stats.mode,
    isFile: stats.isFile(),
    isDirectory: stats.isDirectory(),
    isSymbolicLink: stats.isSymbolicLink(),
  };
}

export const nodeFs: OptionFileSystem = {
  readFile: (path) => readFileSync(path),
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
