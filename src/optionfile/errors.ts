/**
 * Why an option file cannot be taken as read: `refused`, the server (or client) would refuse
 * it; `unreadable`, this process may not read a file the server reads (the server, running as
 * another user, may); `relative`, a path is relative to a directory that is not known (the
 * one a running server was started from); `missing`, a file that must be read (--defaults-file)
 * does not exist (the server would not start either).
 */
export type OptionFileErrorKind = 'refused' | 'unreadable' | 'relative' | 'missing';

/**
 * An option file that cannot be read as the server reads it. The message is one plain
 * sentence naming the file and line, so the command layer can print it as-is.
 */
export class OptionFileError extends Error {
  readonly file: string;
  /** 1-based line number, or undefined when the problem is the file itself. */
  readonly line: number | undefined;
  readonly reason: string;
  readonly kind: OptionFileErrorKind;

  constructor(file: string, line: number | undefined, reason: string, kind: OptionFileErrorKind = 'refused') {
    super(`${line === undefined ? `Option file ${file}` : `Option file ${file}, line ${line}`}: ${reason}.`);
    this.name = 'OptionFileError';
    this.file = file;
    this.line = line;
    this.reason = reason;
    this.kind = kind;
  }
}
