/**
 * The proof before any byte is written: read the whole chain again with the edited files in
 * place of the originals, as every server view and as the clients, and check that the server
 * gets exactly the requested values, that every other option reads as before, and that the
 * same files are read.
 */
import {
  CLIENT_GROUPS,
  OptionFileError,
  type OptionFileSystem,
  parseOptionFile,
  type ReadOptionsResult,
  type ResolvedOption,
  realPathOrNull,
} from '../optionfile/index.ts';
import { readChain } from '../serverfiles/chain.ts';
import { describeReader, type ServerReader } from '../serverfiles/reader.ts';
import { type FileChange, type PatchInput, valueFlavor } from './model.ts';
import { formOf, givesExactly, settingReading } from './occurrences.ts';
import { PatchRefused } from './refused.ts';

/** The file system with the edited bytes read in place of the files they replace. */
export function overlayFs(fs: OptionFileSystem, changes: readonly FileChange[]): OptionFileSystem {
  const edited = new Map(changes.map((change) => [change.realPath, change.after]));
  return {
    readFile: (path) => Buffer.from(edited.get(realPathOrNull(fs, path) ?? path) ?? fs.readFile(path)),
    stat: (path) => fs.stat(path),
    lstat: (path) => fs.lstat(path),
    readdir: (path) => fs.readdir(path),
    exists: (path) => fs.exists(path),
    realpath: (path) => fs.realpath(path),
  };
}

/** Returns the chain as the first view reads it after the edit; throws PatchRefused if anything is off. */
export function verifyPatch(
  input: PatchInput,
  reads: readonly { view: ServerReader; result: ReadOptionsResult }[],
  changes: readonly FileChange[],
): ReadOptionsResult {
  const fs = overlayFs(input.source.fs, changes);
  const names = input.settings.map((setting) => setting.name);
  const untouched = (option: ResolvedOption) => names.every((name) => formOf(option.name, name) === null);
  const refuse = (what: string): never => {
    throw new PatchRefused(
      `After the planned edit ${what}. That is not what was asked, so nothing was written; please report this with the file.`,
    );
  };
  const readAfter = (view: ServerReader) => {
    try {
      return readChain(input.source, view, fs);
    } catch (err) {
      if (err instanceof OptionFileError)
        return refuse(`the server could not read the files: ${err.message}`);
      throw err;
    }
  };

  let first: ReadOptionsResult | undefined;
  for (const { view, result: before } of reads) {
    const after = readAfter(view);
    first ??= after;
    const label = describeReader(view);
    if (fileList(after) !== fileList(before)) refuse(`${label} would read a different set of files`);
    for (const request of input.settings) {
      if (
        !givesExactly(
          settingReading(after.options, request.name, input.maxSeconds, valueFlavor(input.views)),
          request.seconds,
        )
      ) {
        refuse(`${label} would not get ${request.name} = ${request.seconds}`);
      }
    }
    if (optionList(after, untouched) !== optionList(before, untouched)) {
      refuse(`another option would read differently for ${label}`);
    }
  }
  const clients = { flavor: 'mariadb', version: null, groups: [...CLIENT_GROUPS] } as const;
  const clientsBefore = readChain(input.source, { ...clients, groups: [...clients.groups] });
  const clientsAfter = readChain(input.source, { ...clients, groups: [...clients.groups] }, fs);
  if (optionList(clientsAfter, untouched) !== optionList(clientsBefore, untouched)) {
    refuse('the client programs would read different options');
  }
  for (const change of changes) {
    const codes = (bytes: Buffer) =>
      parseOptionFile(bytes, change.path)
        .problems.map((problem) => problem.code)
        .sort()
        .join();
    if (codes(change.after) !== codes(change.before)) refuse(`${change.path} would have other problems`);
  }
  return first as ReadOptionsResult;
}

function fileList(result: ReadOptionsResult): string {
  return JSON.stringify(result.files.map((file) => [file.path, file.status, file.depth]));
}

function optionList(result: ReadOptionsResult, keep: (option: ResolvedOption) => boolean): string {
  return JSON.stringify(
    result.options
      .filter(keep)
      .map((option) => [option.name, option.rawName, option.value, option.group, option.file]),
  );
}
