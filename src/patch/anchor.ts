/**
 * Where a setting that no file has goes (the insertion point), and the files that are no place
 * for it: the home directory of the user running dbcache.
 */
import {
  byteStringToText,
  type FileRecord,
  groupMatches,
  type OptionLine,
  type ReadLine,
  type ReadOptionsResult,
  textToByteString,
} from '../optionfile/index.ts';
import { type ChainSource, locate } from '../serverfiles/chain.ts';
import { isInsertableGroup, type ServerReader, VERSION_GROUP } from '../serverfiles/reader.ts';
import type { Intent, PatchInput } from './model.ts';
import { type Occurrence, occurrencesOf, SETTING_NAMES, type SettingName } from './occurrences.ts';
import { PatchRefused } from './refused.ts';

const STATUS_WORDS: Record<FileRecord['status'], string> = {
  read: 'read',
  stopped: 'read part-way',
  missing: 'does not exist',
  unreadable: 'cannot be read',
  'world-writable': 'ignored by the server because anyone may write to it (chmod o-w)',
  directory: 'a directory',
  'not-a-file': 'not a regular file (a device, FIFO or socket)',
};

type Anchor =
  | { kind: 'insert'; realPath: string; afterIndex: number; neighbour: string | null }
  | { kind: 'create-group'; realPath: string };

/**
 * Where a setting that no file has goes: next to its sibling (interactive_timeout beside
 * wait_timeout) when that is set in a server-only group, else next to the effective
 * max_connections (the recipe's advice), else at the end of the last `[mysqld]` section the
 * server reads, else at the end of the last other server group it reads (`[server]`,
 * `[mariadb]`, `[mariadbd]`: the MariaDB Docker image has only `[mariadb]`), else in a new
 * `[mysqld]` group at the end of the first file. Never in a version group such as
 * `[mariadb-10.11]` (unless beside the other timeout, which is there already): after an
 * upgrade the server no longer reads it, and the setting would silently go. Never in the home
 * directory of the user running dbcache (see inInvokersHome).
 */
export function insertionAnchor(
  input: PatchInput,
  view: ServerReader,
  result: ReadOptionsResult,
  setting: SettingName,
): Anchor {
  const usable = (record: FileRecord) => record.realPath !== null && !inInvokersHome(record, input.source);
  const sibling = SETTING_NAMES.find((name) => name !== setting) as SettingName;
  const neighbours = [
    { occurrence: occurrencesOf(result.options, sibling).at(-1), versionGroup: true },
    { occurrence: lastNamed(result, 'max_connections'), versionGroup: false },
  ];
  for (const { occurrence, versionGroup } of neighbours) {
    if (occurrence?.form !== 'exact' || !isInsertableGroup(textToByteString(occurrence.option.group), view))
      continue;
    if (!versionGroup && VERSION_GROUP.test(occurrence.option.group)) continue;
    const { record, index } = locate(result, occurrence.option.source);
    if (!usable(record)) continue;
    return {
      kind: 'insert',
      realPath: realPathOf(record),
      afterIndex: index,
      neighbour: occurrence.option.rawName,
    };
  }
  const headers = result.lines.filter(
    (entry): entry is ReadLine & { line: { kind: 'group'; name: string } } =>
      entry.line.kind === 'group' && usable(entry.record),
  );
  const mysqld = headers.findLast((entry) => groupMatches(entry.line.name, 'mysqld'));
  if (mysqld) return endOfSection(result.lines, mysqld);
  const server = headers.findLast(
    (entry) =>
      isInsertableGroup(entry.line.name, view) && !VERSION_GROUP.test(byteStringToText(entry.line.name)),
  );
  if (server) return endOfSection(result.lines, server);
  const main = result.files.find((record) => record.depth === 0 && record.doc !== null && usable(record));
  if (main === undefined) {
    const inHome = result.files.filter(
      (record) => record.doc !== null && inInvokersHome(record, input.source),
    );
    const looked = result.files
      .map(
        (record) =>
          `${record.path}: ${inHome.includes(record) ? 'in your home directory, which the server (running as its own user) does not read' : STATUS_WORDS[record.status]}`,
      )
      .join('; ');
    throw new PatchRefused(
      `The server reads no option file that dbcache could add the setting to (${looked || 'no files to look at'}). Create the server's file, or name it with --file. Nothing was written.`,
      inHome.length > 0 ? 'usage' : 'file',
    );
  }
  return { kind: 'create-group', realPath: realPathOf(main) };
}

/**
 * A file in the home directory of the user running dbcache (`~/.my.cnf`, or what it includes).
 * The server reads `~/.my.cnf` of the user it runs as (mysql), not root's or yours, so a setting
 * added there would do nothing. Unless a file there was named (`--file`, or the server's own
 * `--defaults-file`): then that is where the server reads.
 */
function inInvokersHome(record: Pick<FileRecord, 'path'>, source: ChainSource): boolean {
  const home = source.home?.replace(/[\\/]+$/, '');
  if (!home) return false;
  const under = (path: string) => path.startsWith(`${home}/`) || path.startsWith(`${home}\\`);
  const named = source.files.some((ref) => typeof ref !== 'string' && ref.required && under(ref.path));
  return !named && under(record.path);
}

/** The winning occurrence is in the invoker's home: the server reads it only if it runs as that user. */
export function homeWarnings(
  intents: readonly Intent[],
  chain: ReadOptionsResult,
  input: PatchInput,
): string[] {
  return intents.flatMap((intent) => {
    if (intent.kind !== 'set' && intent.kind !== 'unchanged') return [];
    const record = chain.files.find((candidate) => candidate.realPath === intent.realPath);
    if (record === undefined || !inInvokersHome(record, input.source)) return [];
    return [
      `${intent.setting} is set in ${record.path}, in your home directory: the server reads it only if it runs as you (a server running as mysql reads its own user's ~/.my.cnf). If it does not, name the server's file with --file.`,
    ];
  });
}

function lastNamed(result: ReadOptionsResult, name: string): Occurrence | undefined {
  const option = result.options.findLast((candidate) => candidate.name === name);
  return option && { option, form: 'exact' };
}

/** After the last option line of the section that starts at `header` (or after the header). */
function endOfSection(lines: readonly ReadLine[], header: ReadLine): Anchor {
  let last: { index: number; line: OptionLine } | null = null;
  for (const entry of lines.slice(lines.indexOf(header) + 1)) {
    if (entry.record !== header.record) continue;
    if (entry.line.kind === 'group') break;
    if (entry.line.kind === 'option') last = { index: entry.index, line: entry.line };
  }
  return {
    kind: 'insert',
    realPath: realPathOf(header.record),
    afterIndex: last?.index ?? header.index,
    neighbour: last?.line.rawName ?? null,
  };
}

/** `max-connections` next door: write `wait-timeout` too. */
export function spell(name: SettingName, neighbour: string | null): string {
  return neighbour?.includes('-') && !neighbour.includes('_') ? name.replaceAll('_', '-') : name;
}

export function realPathOf(record: FileRecord): string {
  if (record.realPath === null) {
    throw new PatchRefused(`Cannot find the real file behind ${record.path}. Nothing was written.`);
  }
  return record.realPath;
}
