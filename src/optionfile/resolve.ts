/**
 * Which options a program gets from its option files: the files in order, includes expanded in
 * place, only the wanted groups, every occurrence kept (the last one wins). Mirrors
 * my_search_option_files() and search_default_file_with_ext() of MariaDB 10.11.
 */
import { posix, win32 } from 'node:path';
import { byteStringToText, textToByteString } from './bytes.ts';
import type { DirectiveLine, OptionFileDoc, OptionFileLine, OptionFileProblem, OptionLine } from './doc.ts';
import { OptionFileError } from './errors.ts';
import { NOT_REGULAR, type OptionFileSystem } from './fs.ts';
import { isGroupIn, normalizeOptionName } from './names.ts';
import { parseOptionFile } from './parse.ts';

/** A file to read; a missing `required` file is fatal (`--defaults-file`, `--defaults-extra-file`). */
export interface OptionFileRef {
  path: string;
  required: boolean;
}

export interface ReadOptionsRequest {
  /** In read order; a plain string is an optional file (a default location). */
  files: readonly (string | OptionFileRef)[];
  /** The groups the program reads, e.g. serverGroups('mariadb', '10.11.6'). */
  groups: readonly string[];
  fs: OptionFileSystem;
  /**
   * Relative paths, including relative `!include` paths, resolve against this directory. Null
   * when it is not known (a running server resolved them against the directory it was started
   * from): a relative path then throws OptionFileError of kind `relative`.
   */
  cwd: string | null;
  platform: NodeJS.Platform;
  /** Expands `~/` in `!include` paths, as the server does with $HOME; left alone if absent. */
  home?: string;
}

export interface ResolvedOption {
  /** Normalized: `wait_timeout` for `Loose-Wait-Timeout`. */
  name: string;
  /** As written. */
  rawName: string;
  loose: boolean;
  /** After unquoting and escapes, decoded as UTF-8; null for a bare flag. */
  value: string | null;
  group: string;
  /** Absolute path of the file the option is in. */
  file: string;
  line: number;
  /** The parsed line itself (byte strings and spans), for editing it in place. */
  source: OptionLine;
}

export type FileStatus =
  /** Read to the end. */
  | 'read'
  /** Read until a problem at which the server stops reading it (only happens to included files). */
  | 'stopped'
  | 'missing'
  | 'unreadable'
  /** Ignored by the server because anyone may write it. */
  | 'world-writable'
  /** A directory where a file was expected: the server reads nothing from it. */
  | 'directory'
  /**
   * Not a regular file after following links (a device, FIFO or socket): dbcache never opens
   * it (a FIFO would block, /dev/zero never end), and cannot tell what the server reads from it.
   */
  | 'not-a-file';

export interface FileRecord {
  /** Absolute path as opened. */
  path: string;
  /** With symbolic links resolved: the file an editor must write. Null if it does not exist. */
  realPath: string | null;
  status: FileStatus;
  /** 0 for the files asked for, +1 per `!include`/`!includedir` level. */
  depth: number;
  includedFrom: { file: string; line: number } | null;
  doc: OptionFileDoc | null;
}

/** One line the server reads, and the file it is in. */
export interface ReadLine {
  record: FileRecord;
  /** Index into `record.doc.lines`. */
  index: number;
  line: OptionFileLine;
}

export interface ReadOptionsResult {
  options: ResolvedOption[];
  /** Every file tried, in the order the server tries them. */
  files: FileRecord[];
  /**
   * Every line the server reads (every kind: headers, comments, directives), in the order it
   * reads them, included files in place; none after a line at which it stops reading a file.
   */
  lines: ReadLine[];
  warnings: string[];
}

/** Files included deeper than this have their own directives skipped (max_recursion_level). */
export const MAX_INCLUDE_DEPTH = 10;

/** Reads and resolves option files. Throws OptionFileError where the server would refuse. */
export function readOptions(request: ReadOptionsRequest): ReadOptionsResult {
  const reader = new OptionReader(request);
  for (const entry of request.files) {
    const ref = typeof entry === 'string' ? { path: entry, required: false } : entry;
    const record = reader.readFile(ref.path, 0, null);
    if (ref.required && (record.status === 'missing' || record.status === 'unreadable')) {
      const why = record.status === 'missing' ? 'does not exist' : 'cannot be read';
      throw new OptionFileError(
        record.path,
        undefined,
        `the file ${why}, and a file given with --defaults-file or --defaults-extra-file must be readable`,
        record.status === 'missing' ? 'missing' : 'unreadable',
      );
    }
  }
  return reader.result;
}

/** The last occurrence of an option (any spelling of its name), or undefined. */
export function effectiveValue(options: readonly ResolvedOption[], name: string): ResolvedOption | undefined {
  const wanted = normalizeOptionName(name).name;
  return options.findLast((option) => option.name === wanted);
}

class OptionReader {
  readonly result: ReadOptionsResult = { options: [], files: [], lines: [], warnings: [] };
  private readonly paths: typeof posix;
  private readonly extensions: readonly string[];
  private readonly groups: readonly string[];

  constructor(private readonly request: ReadOptionsRequest) {
    const windows = request.platform === 'win32';
    this.paths = windows ? win32 : posix;
    this.extensions = windows ? ['.ini', '.cnf'] : ['.cnf'];
    this.groups = request.groups.map(textToByteString);
  }

  readFile(name: string, depth: number, includedFrom: FileRecord['includedFrom']): FileRecord {
    const { fs, platform } = this.request;
    const path = this.resolvePath(name, includedFrom);
    const record: FileRecord = { path, realPath: null, status: 'missing', depth, includedFrom, doc: null };
    this.result.files.push(record);

    let stat: ReturnType<OptionFileSystem['stat']>;
    try {
      stat = fs.stat(path);
    } catch (err) {
      // A directory on the way that this process may not search: the file may well be there.
      if (isPermissionError(err)) record.status = 'unreadable';
      return record;
    }
    try {
      record.realPath = fs.realpath(path);
    } catch {
      // stat() worked, so the file is there; only the editor needs the real path.
    }
    if (platform !== 'win32' && stat.isFile && (stat.mode & 0o002) !== 0) {
      record.status = 'world-writable';
      this.result.warnings.push(
        `Ignored ${path} because anyone may write to it, as the server does ("World-writable config file is ignored"); run chmod o-w on it if its options should count.`,
      );
      return record;
    }
    if (stat.isDirectory) {
      record.status = 'directory';
      return record;
    }
    if (!stat.isFile) return this.notAFile(record, stat.special ?? 'special file');
    let bytes: Buffer;
    try {
      bytes = fs.readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === NOT_REGULAR) return this.notAFile(record, 'special file');
      record.status = 'unreadable';
      return record;
    }
    const doc = parseOptionFile(bytes, path);
    record.doc = doc;
    record.status = this.readLines(record, doc, depth) ? 'read' : 'stopped';
    return record;
  }

  private notAFile(record: FileRecord, kind: string): FileRecord {
    record.status = 'not-a-file';
    const behind = record.realPath && record.realPath !== record.path ? ` (${record.realPath})` : '';
    this.result.warnings.push(
      `Did not open ${record.path}${behind}: it is a ${kind}, not a regular file, so dbcache cannot tell what the server would read from it.`,
    );
    return record;
  }

  /** Returns false if the server would stop reading the file part-way. */
  private readLines(record: FileRecord, doc: OptionFileDoc, depth: number): boolean {
    const problemsAt = new Map<number, OptionFileProblem[]>();
    for (const problem of doc.problems) {
      problemsAt.set(problem.index, [...(problemsAt.get(problem.index) ?? []), problem]);
    }
    for (const [index, line] of doc.lines.entries()) {
      const problems = problemsAt.get(index) ?? [];
      for (const problem of problems) {
        if (!problem.fatal)
          this.result.warnings.push(`${doc.path}, line ${problem.line}: ${problem.reason}.`);
      }
      const byteOrderMark = problems.find((problem) => problem.code === 'byte-order-mark');
      if (byteOrderMark) return this.stop(doc, byteOrderMark.line, byteOrderMark.reason, depth);
      // Past the nesting limit every `!` line is skipped before it is even looked at.
      if (line.kind === 'directive' && depth >= MAX_INCLUDE_DEPTH) {
        this.result.lines.push({ record, index, line });
        this.result.warnings.push(
          `Skipped "${byteStringToText(line.text.trim())}" in ${doc.path}, line ${line.number}: includes nest deeper than ${MAX_INCLUDE_DEPTH} levels, so the server skips it.`,
        );
        continue;
      }
      const fatal = problems.find((problem) => problem.fatal);
      if (fatal) return this.stop(doc, fatal.line, fatal.reason, depth);
      this.result.lines.push({ record, index, line });

      if (line.kind === 'option' && line.group !== null && isGroupIn(line.group, this.groups)) {
        this.result.options.push({
          name: byteStringToText(line.name),
          rawName: byteStringToText(line.rawName),
          loose: line.loose,
          value: line.value === null ? null : byteStringToText(line.value),
          group: byteStringToText(line.group),
          file: doc.path,
          line: line.number,
          source: line,
        });
      } else if (line.kind === 'directive' && line.argument !== null) {
        if (!this.followDirective(doc, line, line.argument, depth)) return false;
      }
    }
    return true;
  }

  private followDirective(doc: OptionFileDoc, line: DirectiveLine, argument: string, depth: number): boolean {
    const includedFrom = { file: doc.path, line: line.number };
    const target = byteStringToText(argument);
    if (line.directive === 'include') {
      // Errors inside an included file do not stop the including one (the return code is ignored).
      this.readFile(this.expandHome(target), depth + 1, includedFrom);
      return true;
    }
    const dir = this.resolvePath(target, includedFrom);
    let names: string[];
    try {
      names = this.request.fs.readdir(dir);
    } catch (err) {
      if (isPermissionError(err)) {
        // The server, running as another user, may be able to list it: not a refusal, but
        // nothing can be said about the files in it.
        this.result.files.push({
          path: dir,
          realPath: null,
          status: 'unreadable',
          depth: depth + 1,
          includedFrom,
          doc: null,
        });
        return true;
      }
      return this.stop(
        doc,
        line.number,
        `the directory "${target}" named by !includedir cannot be read (the server says "Can't read dir of '${target}'" and stops)`,
        depth,
      );
    }
    const sorted = names
      .filter((name) => this.extensions.includes(extensionOf(name)))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const name of sorted) this.readFile(this.joinDir(target, name), depth + 1, includedFrom);
    return true;
  }

  /** A file-level error: fatal for a file asked for, a warning for an included one. */
  private stop(doc: OptionFileDoc, line: number, reason: string, depth: number): false {
    if (depth === 0) throw new OptionFileError(doc.path, line, reason);
    this.result.warnings.push(
      `${doc.path}, line ${line}: ${reason}; the server reads nothing more from this included file.`,
    );
    return false;
  }

  /** `name` against the current directory; refused when that is not known and `name` is relative. */
  private resolvePath(name: string, includedFrom: FileRecord['includedFrom']): string {
    const { cwd } = this.request;
    if (cwd !== null) return this.paths.resolve(cwd, name);
    if (this.paths.isAbsolute(name)) return this.paths.resolve(name);
    throw new OptionFileError(
      includedFrom?.file ?? name,
      includedFrom?.line,
      `"${name}" is a relative path, which the server resolved against the directory it was started from, and that directory is not known`,
      'relative',
    );
  }

  /** fn_format(…, MY_UNPACK_FILENAME) turns a leading `~` into the home directory. */
  private expandHome(target: string): string {
    const home = this.request.home;
    if (home === undefined || !(target === '~' || target.startsWith('~/'))) return target;
    return this.paths.join(home, target.slice(1));
  }

  /** The server's convert_dirname() + file name: a separator is added only if missing. */
  private joinDir(dir: string, name: string): string {
    const separator = this.paths.sep;
    return dir.endsWith('/') || dir.endsWith(separator) ? dir + name : dir + separator + name;
  }
}

function isPermissionError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'EACCES' || code === 'EPERM';
}

/** fn_ext2(): the text from the last dot, so `x.bak.cnf` is `.cnf` and `x.cnf.bak` is `.bak`. */
function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? '' : name.slice(dot);
}
