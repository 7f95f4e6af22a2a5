/**
 * When the planner refuses, and the sentence it says: a file the server would misread or
 * refuse, one dbcache cannot read or must not open, a setting it cannot place safely.
 */
import {
  byteStringToText,
  type FileRecord,
  isGroupIn,
  type OptionFileDoc,
  type OptionFileError,
  type ReadOptionsResult,
  textToByteString,
} from '../optionfile/index.ts';
import { describeUnreadable } from '../serverfiles/chain.ts';
import { type ServerReader, VERSION_GROUP } from '../serverfiles/reader.ts';
import type { Intent, PatchInput, SettingRequest } from './model.ts';
import { formOf, type Occurrence, type SettingName, type SettingReading } from './occurrences.ts';
import { PatchRefused } from './refused.ts';

/** Problems in a file that the server misreads or refuses: such a file is not edited. */
const REFUSED_PROBLEMS = new Set([
  'byte-order-mark',
  'option-before-group',
  'malformed-group',
  'empty-directive',
  'nul-byte',
  'long-line',
  'bare-carriage-return',
]);

/** Why a chain that cannot be read as the server reads it is not edited. */
export function refusalFor(err: OptionFileError): PatchRefused {
  const what = err.message.replace(/\.$/, '');
  if (err.kind === 'unreadable') {
    return new PatchRefused(
      `${what}. dbcache may not read it, and the server does (as its own user): run dbcache as root or as the server's user. Nothing was written.`,
    );
  }
  if (err.kind === 'missing') {
    return new PatchRefused(
      `${err.file} does not exist. Check the path (dbcache patch-config --list shows the files the server reads). Nothing was written.`,
    );
  }
  if (err.kind === 'relative') {
    return new PatchRefused(
      `${what}. Name the server's option file with --file (an absolute path, or one relative to where you run dbcache). Nothing was written.`,
      'usage',
    );
  }
  return new PatchRefused(
    `${what}. The server itself would not start with this file, so dbcache does not edit it; fix it first. Nothing was written.`,
  );
}

/**
 * A file dbcache cannot read may set wait_timeout after the edit, and the server would use
 * that: no plan (and no "read back" after writing) can be trusted without it.
 */
export function refuseUnreadable(chain: ReadOptionsResult): void {
  const unreadable = describeUnreadable(chain);
  if (unreadable !== null) throw new PatchRefused(`${unreadable}. Nothing was written.`);
}

/**
 * A device, FIFO or socket in the chain (often a config pointed at /dev/null to disable it):
 * dbcache never opens one (a FIFO blocks, /dev/zero never ends), cannot tell what the server
 * reads from it, and must never replace it with a regular file.
 */
export function refuseNotAFile(chain: ReadOptionsResult): void {
  const special = chain.files.find((record) => record.status === 'not-a-file');
  if (special === undefined) return;
  const behind = special.realPath && special.realPath !== special.path ? ` (${special.realPath})` : '';
  const from = special.includedFrom
    ? ` (included from ${special.includedFrom.file} line ${special.includedFrom.line})`
    : '';
  throw new PatchRefused(
    `${special.path}${behind}${from} is not a regular file but a device, FIFO or socket: dbcache neither reads nor writes it. Name the server's real option file with --file. Nothing was written.`,
  );
}

/** A setting in `[mariadb-10.6]` counts only for 10.6: without the version that is a guess. */
export function refuseUnknownVersionGroups(
  result: ReadOptionsResult,
  view: ServerReader,
  settings: readonly SettingRequest[],
): void {
  if (view.version !== null) return;
  for (const record of result.files) {
    for (const line of record.doc?.lines ?? []) {
      if (line.kind !== 'option' || line.group === null || !VERSION_GROUP.test(line.group)) continue;
      if (view.flavor === 'mysql' && !/^mysqld-/i.test(line.group)) continue;
      if (!settings.some((setting) => formOf(byteStringToText(line.name), setting.name) !== null)) continue;
      throw new PatchRefused(
        `${record.path}, line ${line.number}: "${byteStringToText(line.rawName)}" is in [${byteStringToText(line.group)}], which only that server version reads, and dbcache does not know the server's version. Give it with --server-version (e.g. --server-version 10.11). Nothing was written.`,
        'usage',
      );
    }
  }
}

/**
 * The server reads every occurrence and stops at the first value it rejects, even one that a
 * later line overrides: changing the last line would not make it start. An earlier value
 * dbcache cannot read leaves the same doubt.
 */
export function refuseUnreadableEarlier(reading: SettingReading, setting: SettingName): void {
  const { unreadable, winner } = reading;
  if (unreadable === null || unreadable.occurrence === winner) return;
  const { file, line, rawName, value } = unreadable.occurrence.option;
  throw new PatchRefused(
    `${file}, line ${line}: ${rawName} = ${value ?? ''}: ${unreadable.reason}. The server reads that line as well as the later ${setting} line that overrides it, so changing only the last one would not give a server that starts with the value; fix or remove that line first. Nothing was written.`,
  );
}

export function refuseUnsafeFile(record: FileRecord, intents: readonly Intent[], input: PatchInput): void {
  const doc = record.doc as OptionFileDoc;
  const problem = doc.problems.find((candidate) => REFUSED_PROBLEMS.has(candidate.code));
  if (problem) {
    throw new PatchRefused(
      `${record.path}, line ${problem.line}: ${problem.reason}. dbcache does not edit a file the server misreads; fix it first. Nothing was written.`,
    );
  }
  if (record.status !== 'read') {
    throw new PatchRefused(
      `${record.path}: the server stops reading this file part-way (see the warnings), so dbcache does not edit it. Nothing was written.`,
    );
  }
  const createsGroup = intents.some(
    (intent) => intent.kind === 'create-group' && intent.realPath === record.realPath,
  );
  if (createsGroup && !input.force && isClientFile(record, input)) {
    throw new PatchRefused(
      `${record.path} looks like a per-user client file (${describeGroups(doc)}), not a server configuration file; dbcache would have to add a [mysqld] group to it. Name the server's file with --file, or add --force to add the group anyway. Nothing was written.`,
      'usage',
    );
  }
}

/** `~/.my.cnf`, or a file whose groups are all ones the server does not read. */
function isClientFile(record: FileRecord, input: PatchInput): boolean {
  const doc = record.doc as OptionFileDoc;
  const groups = groupsOf(doc);
  const serverGroup = groups.some((group) =>
    input.views.some((view) => isGroupIn(group, view.groups.map(textToByteString))),
  );
  if (serverGroup) return false;
  const home = input.source.home;
  const isHomeFile =
    /(^|[\\/])\.my\.cnf$/.test(record.path) && (home === undefined || record.path.startsWith(home));
  if (isHomeFile) return true;
  // [mysqld_safe] and friends are read only on the server's machine: server configuration.
  if (groups.some(isServerSideGroup)) return false;
  return groups.length > 0;
}

/**
 * Groups read only by the programs that start or watch the server (mysqld_safe, mysqld_multi,
 * the mysql.server script) or by its cluster layer: a file holding one is server configuration,
 * whichever program reads it. MariaDB's mysqld_safe reads [mysqld_safe], [safe_mysqld] and
 * [mariadb-safe]/[mariadbd-safe] (scripts/mysqld_safe.sh), mysqld_multi its own group.
 */
const SERVER_SIDE_GROUPS = new Set([
  'mysqld_safe',
  'safe_mysqld',
  'mariadb-safe',
  'mariadbd-safe',
  'mariadb_safe',
  'mariadbd_safe',
  'mysqld_multi',
  'mysql.server',
  'mysql_server',
  'galera',
]);

function isServerSideGroup(group: string): boolean {
  return SERVER_SIDE_GROUPS.has(byteStringToText(group).toLowerCase());
}

function groupsOf(doc: OptionFileDoc): string[] {
  return doc.lines.flatMap((line) => (line.kind === 'group' ? [line.name] : []));
}

export function describeGroups(doc: OptionFileDoc): string {
  const groups = [...new Set(groupsOf(doc))];
  return groups.length === 0
    ? 'no groups'
    : `only ${groups.map((group) => `[${byteStringToText(group)}]`).join(' ')}`;
}

/** The last occurrence is a form the server also takes for the setting (`wait_tim=5`): not edited. */
export function refuseAliasWinner(winner: Occurrence | undefined, setting: SettingName): void {
  if (winner?.form !== 'alias') return;
  const { file, line, rawName } = winner.option;
  throw new PatchRefused(
    `${file}, line ${line}: "${rawName}" sets ${setting} too (the server takes it for ${setting}), and it is the last one read. dbcache edits only the plain name; change or remove that line by hand. Nothing was written.`,
  );
}
