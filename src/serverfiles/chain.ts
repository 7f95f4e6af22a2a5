/**
 * The option files a server reads, as one stream: the files in search order with every
 * `!include`/`!includedir` expanded in place, the way the server reads them.
 */
import {
  type FileRecord,
  type OptionFileRef,
  type OptionFileSystem,
  type OptionLine,
  type ReadOptionsResult,
  readOptions,
  serialize,
} from '../optionfile/index.ts';
import type { ServerReader } from './reader.ts';

/** Where to find the files: the same for every server view. */
export interface ChainSource {
  files: readonly (string | OptionFileRef)[];
  fs: OptionFileSystem;
  /**
   * Relative paths (and relative `!include` paths) resolve against this directory; null when
   * it is not known (the files of a running server, which resolved them against the directory
   * it was started from): a relative path is then an OptionFileError of kind `relative`.
   */
  cwd: string | null;
  platform: NodeJS.Platform;
  home?: string;
}

/** Reads the chain as `view`'s server does. Throws OptionFileError where the server would refuse. */
export function readChain(source: ChainSource, view: ServerReader, fs = source.fs): ReadOptionsResult {
  return readOptions({
    files: source.files,
    groups: view.groups,
    fs,
    cwd: source.cwd,
    platform: source.platform,
    ...(source.home !== undefined ? { home: source.home } : {}),
  });
}

/** Which file (record) and line index an option of `result` comes from. */
export function locate(result: ReadOptionsResult, source: OptionLine): { record: FileRecord; index: number } {
  for (const record of result.files) {
    const index = record.doc?.lines.indexOf(source) ?? -1;
    if (index !== -1) return { record, index };
  }
  throw new Error(`Option "${source.rawName}" is in none of the files read.`);
}

/**
 * The files in the chain that this process could not read. The server, running as its own
 * user, may read them, and what they set could override anything dbcache plans or reports.
 */
export function unreadableFiles(result: ReadOptionsResult): FileRecord[] {
  return result.files.filter((record) => record.status === 'unreadable');
}

/** One sentence naming the unreadable files and what to do; null when there are none. */
export function describeUnreadable(result: ReadOptionsResult): string | null {
  const files = unreadableFiles(result);
  if (files.length === 0) return null;
  const names = files
    .map((record) =>
      record.includedFrom
        ? `${record.path} (from ${record.includedFrom.file} line ${record.includedFrom.line})`
        : record.path,
    )
    .join(', ');
  const one = files.length === 1;
  return `The user running dbcache may not read ${names}, which the server reads too: what ${one ? 'it sets' : 'they set'} could override wait_timeout. Run dbcache as root or as the server's user`;
}

/**
 * The first file that differs between two reads of the chain (added, gone, another status or
 * other bytes): the path, or null when every file reads the same.
 */
export function firstDifference(before: ReadOptionsResult, after: ReadOptionsResult): string | null {
  const key = (record: FileRecord) =>
    JSON.stringify([record.path, record.realPath, record.status, record.depth]);
  for (let index = 0; index < Math.max(before.files.length, after.files.length); index++) {
    const old = before.files[index];
    const now = after.files[index];
    if (old === undefined || now === undefined) return (old ?? now)?.path ?? null;
    if (key(old) !== key(now)) return now.path;
    if (old.doc && now.doc && !serialize(old.doc).equals(serialize(now.doc))) return now.path;
  }
  return null;
}
