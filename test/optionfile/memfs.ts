/** An in-memory file tree implementing OptionFileSystem, for resolver tests without a disk. */
import { posix, win32 } from 'node:path';
import type { OptionFileStat, OptionFileSystem } from '../../src/optionfile/index.ts';

export type MemEntry =
  | string
  | Buffer
  | { content: string | Buffer; mode?: number; unreadable?: boolean }
  | { symlink: string }
  /** `locked`: this process may neither list it nor reach anything in it (EACCES), as a 0700 directory of another user. */
  | { dir: true; locked?: boolean };

type Node =
  | { type: 'file'; bytes: Buffer; mode: number; unreadable: boolean }
  | { type: 'dir'; mode: number; locked?: boolean }
  | { type: 'symlink'; target: string };

export interface MemFs extends OptionFileSystem {
  /** Paths passed to readFile, in order. */
  reads: string[];
}

function fsError(code: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${path}`), { code });
}

export function createMemFs(tree: Record<string, MemEntry>, platform: 'posix' | 'win32' = 'posix'): MemFs {
  const path = platform === 'win32' ? win32 : posix;
  const nodes = new Map<string, Node>();
  const addDirs = (file: string) => {
    for (let dir = path.dirname(file); !nodes.has(dir); dir = path.dirname(dir)) {
      nodes.set(dir, { type: 'dir', mode: 0o40755 });
      if (path.dirname(dir) === dir) break;
    }
  };
  for (const [name, entry] of Object.entries(tree)) {
    const key = path.normalize(name);
    addDirs(key);
    if (typeof entry === 'string' || Buffer.isBuffer(entry)) {
      nodes.set(key, { type: 'file', bytes: Buffer.from(entry), mode: 0o100644, unreadable: false });
    } else if ('symlink' in entry) {
      nodes.set(key, { type: 'symlink', target: entry.symlink });
    } else if ('dir' in entry) {
      nodes.set(key, { type: 'dir', mode: 0o40755, locked: entry.locked === true });
    } else {
      nodes.set(key, {
        type: 'file',
        bytes: Buffer.from(entry.content),
        mode: 0o100000 | (entry.mode ?? 0o644),
        unreadable: entry.unreadable === true,
      });
    }
  }

  const follow = (name: string, depth = 0): { key: string; node: Node } => {
    const key = path.normalize(name);
    for (let dir = path.dirname(key); ; dir = path.dirname(dir)) {
      const parent = nodes.get(dir);
      if (parent?.type === 'dir' && parent.locked) throw fsError('EACCES', name);
      if (path.dirname(dir) === dir) break;
    }
    const node = nodes.get(key);
    if (!node) throw fsError('ENOENT', name);
    if (node.type !== 'symlink') return { key, node };
    if (depth > 20) throw fsError('ELOOP', name);
    return follow(path.resolve(path.dirname(key), node.target), depth + 1);
  };
  const toStat = (node: Node): OptionFileStat => ({
    mode: node.type === 'symlink' ? 0o120777 : node.mode,
    isFile: node.type === 'file',
    isDirectory: node.type === 'dir',
    isSymbolicLink: node.type === 'symlink',
  });

  const reads: string[] = [];
  return {
    reads,
    readFile(name) {
      reads.push(name);
      const { node } = follow(name);
      if (node.type === 'dir') throw fsError('EISDIR', name);
      if (node.type !== 'file' || node.unreadable) throw fsError('EACCES', name);
      return Buffer.from(node.bytes);
    },
    stat: (name) => toStat(follow(name).node),
    lstat(name) {
      const node = nodes.get(path.normalize(name));
      if (!node) throw fsError('ENOENT', name);
      return toStat(node);
    },
    readdir(name) {
      const { key, node } = follow(name);
      if (node.type !== 'dir') throw fsError('ENOTDIR', name);
      if (node.locked) throw fsError('EACCES', name);
      return [...nodes.keys()]
        .filter((child) => child !== key && path.dirname(child) === key)
        .map((child) => path.basename(child));
    },
    exists(name) {
      try {
        follow(name);
        return true;
      } catch {
        return false;
      }
    },
    realpath: (name) => follow(name).key,
  };
}
