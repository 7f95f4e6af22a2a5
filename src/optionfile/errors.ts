/**
 * An option file the server (or client) would refuse to read. The message is one plain
 * sentence naming the file and line, so the command layer can print it as-is.
 */
export class OptionFileError extends Error {
  readonly file: string;
  /** 1-based line number, or undefined when the problem is the file itself. */
  readonly line: number | undefined;
  readonly reason: string;

  constructor(file: string, line: number | undefined, reason: string) {
    super(`${line === undefined ? `Option file ${file}` : `Option file ${file}, line ${line}`}: ${reason}.`);
    this.name = 'OptionFileError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}
