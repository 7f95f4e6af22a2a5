/**
 * The option files a server reads, as one stream: the files in search order with every
 * `!include`/`!includedir` expanded in place, the way the server reads them. readOptions()
 * keeps only the options; the planner also needs the group headers and blank sections.
 */
import { posix, win32 } from 'node:path';
import {
  byteStringToText,
  type FileRecord,
  MAX_INCLUDE_DEPTH,
  type OptionFileLine,
  type OptionFileRef,
  type OptionFileSystem,
  type OptionLine,
  type ReadOptionsResult,
  readOptions,
} from '../optionfile/index.ts';
import type { ServerView } from './view.ts';

/** Where to find the files: the same for every server view. */
export interface ChainSource {
  files: readonly (string | OptionFileRef)[];
  fs: OptionFileSystem;
  /** Relative paths (and relative `!include` paths) resolve against this directory. */
  cwd: string;
  platform: NodeJS.Platform;
  home?: string;
}

/** Reads the chain as `view`'s server does. Throws OptionFileError where the server would refuse. */
export function readChain(source: ChainSource, view: ServerView, fs = source.fs): ReadOptionsResult {
  return readOptions({
    files: source.files,
    groups: view.groups,
    fs,
    cwd: source.cwd,
    platform: source.platform,
    ...(source.home !== undefined ? { home: source.home } : {}),
  });
}

export interface ChainLine {
  record: FileRecord;
  index: number;
  line: OptionFileLine;
}

/**
 * Every line the server reads, in the order it reads them (included files in place).
 * `dirReadable` answers whether an `!includedir` directory can be listed: where it cannot, the
 * server stops reading that (included) file.
 */
export function linesInReadOrder(
  result: ReadOptionsResult,
  dirReadable: (dir: string) => boolean,
): ChainLine[] {
  const out: ChainLine[] = [];
  const { files } = result;
  let cursor = 0;
  const visit = (record: FileRecord) => {
    const doc = record.doc;
    if (doc === null) return;
    const fatal = new Set(
      doc.problems
        .filter((problem) => problem.fatal || problem.code === 'byte-order-mark')
        .map((p) => p.index),
    );
    for (const [index, line] of doc.lines.entries()) {
      if (fatal.has(index)) return;
      out.push({ record, index, line });
      if (line.kind !== 'directive' || line.argument === null || record.depth >= MAX_INCLUDE_DEPTH) continue;
      if (line.directive === 'includedir' && !dirReadable(line.argument)) return;
      // readFile() records files in the order it opens them, so the files this directive
      // opened (and the files they opened) come next.
      for (;;) {
        const next = files[cursor];
        const from = next?.includedFrom;
        if (!next || next.depth !== record.depth + 1 || from?.file !== doc.path || from.line !== line.number)
          break;
        cursor++;
        visit(next);
      }
    }
  };
  while (cursor < files.length) {
    const record = files[cursor++] as FileRecord;
    if (record.depth === 0) visit(record);
  }
  return out;
}

/** Which file (record) and line index an option of `result` comes from. */
export function locate(result: ReadOptionsResult, source: OptionLine): { record: FileRecord; index: number } {
  for (const record of result.files) {
    const index = record.doc?.lines.indexOf(source) ?? -1;
    if (index !== -1) return { record, index };
  }
  throw new Error(`Option "${source.rawName}" is in none of the files read.`);
}

/** Whether the server could list an `!includedir` directory (its argument as a byte string). */
export function dirReadableIn(source: ChainSource): (argument: string) => boolean {
  const paths = source.platform === 'win32' ? win32 : posix;
  return (argument) => {
    try {
      source.fs.readdir(paths.resolve(source.cwd, byteStringToText(argument)));
      return true;
    } catch {
      return false;
    }
  };
}
