/**
 * Plans a patch of the server's option files: find where each setting takes effect, decide the
 * smallest edit, apply it to the parsed files in memory, and prove (by reading the edited files
 * again, as every possible server reads them) that the server will get exactly the requested
 * values and nothing else changes. Pure but for reading files through the injected file system.
 */
import {
  byteStringToText,
  type FileRecord,
  type Flavor,
  groupMatches,
  insertOptionLine,
  isGroupIn,
  type OptionFileDoc,
  OptionFileError,
  type OptionLine,
  type ReadLine,
  type ReadOptionsResult,
  serialize,
  setOptionValue,
  textToByteString,
} from '../optionfile/index.ts';
import { type ChainSource, describeUnreadable, locate, readChain } from '../serverfiles/chain.ts';
import {
  describeReader,
  isInsertableGroup,
  type ServerReader,
  VERSION_GROUP,
} from '../serverfiles/reader.ts';
import { appendGroup } from './new-group.ts';
import {
  formOf,
  givesExactly,
  type Occurrence,
  occurrencesOf,
  readOccurrence,
  SETTING_NAMES,
  type SettingName,
  type SettingReading,
  settingReading,
} from './occurrences.ts';
import { PatchRefused } from './refused.ts';
import { verifyPatch } from './verify.ts';

export { PatchRefused };

export interface SettingRequest {
  name: SettingName;
  seconds: number;
}

export interface PatchInput {
  source: ChainSource;
  /** One view when the server is known; MariaDB and MySQL when it is not (the plan must suit both). */
  views: readonly ServerReader[];
  settings: readonly SettingRequest[];
  /** Allow adding a server group to what looks like a per-user client file. */
  force: boolean;
  /** The server's ceiling: 31536000, or 2147483 on Windows. */
  maxSeconds: number;
}

/** One place the server reads a setting from. */
export interface OccurrenceInfo {
  /** The path as the server opens it. */
  file: string;
  line: number;
  group: string;
  rawName: string;
  value: string | null;
  /** What the server makes of the value; null where it would refuse it, or dbcache cannot tell. */
  seconds: number | null;
  /** Why `seconds` is null: the server refuses the value, or dbcache cannot tell what it reads. */
  unreadable: 'refused' | 'unsure' | null;
  /** Why the server's number is not the written one, or why there is none; null when it is as written. */
  note: string | null;
}

export type Action = 'unchanged' | 'set' | 'insert' | 'create-group';

export interface SettingPlan {
  name: SettingName;
  requested: number;
  /** The occurrence the server uses now; null when no file sets it (the compiled-in default). */
  current: OccurrenceInfo | null;
  action: Action;
  /** Where the setting is after the edit (the same as `current` when unchanged). */
  result: OccurrenceInfo;
  /** Earlier occurrences that the winning one overrides; left as they are. */
  overridden: OccurrenceInfo[];
}

export interface FileChange {
  /** The path as the server opens it. */
  path: string;
  /** The file to write: symbolic links resolved. */
  realPath: string;
  before: Buffer;
  after: Buffer;
}

export interface PatchPlan {
  settings: SettingPlan[];
  changes: FileChange[];
  /** The chain as read before the edit (first view). */
  chain: ReadOptionsResult;
  /** What the server would warn about while reading the files. */
  warnings: string[];
}

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

const STATUS_WORDS: Record<FileRecord['status'], string> = {
  read: 'read',
  stopped: 'read part-way',
  missing: 'does not exist',
  unreadable: 'cannot be read',
  'world-writable': 'ignored by the server because anyone may write to it (chmod o-w)',
  directory: 'a directory',
  'not-a-file': 'not a regular file (a device, FIFO or socket)',
};

type Intent =
  | { kind: 'unchanged' | 'set'; setting: SettingName; realPath: string; index: number }
  | { kind: 'insert'; setting: SettingName; realPath: string; afterIndex: number; spelling: string }
  | { kind: 'create-group'; setting: SettingName; realPath: string; spelling: string };

export function planPatch(input: PatchInput): PatchPlan {
  const [firstView] = input.views;
  if (firstView === undefined) throw new Error('planPatch needs at least one server view.');
  const reads = input.views.map((view) => ({ view, result: readOrRefuse(input.source, view) }));
  const chain = (reads[0] as (typeof reads)[number]).result;
  refuseNotAFile(chain);
  refuseUnreadable(chain);

  let agreed: Intent[] | undefined;
  for (const { view, result } of reads) {
    refuseUnknownVersionGroups(result, view, input.settings);
    const intents = intentsFor(input, view, result);
    if (agreed === undefined) agreed = intents;
    else if (JSON.stringify(agreed) !== JSON.stringify(intents)) {
      throw new PatchRefused(
        `dbcache cannot tell which server reads these files, and the edit would differ: ${input.views.map(describeReader).join(' and ')} read different groups here. Say which with --flavor mariadb or --flavor mysql (and --server-version). Nothing was written.`,
        'usage',
      );
    }
  }
  const intents = agreed ?? [];
  const changes = applyIntents(intents, chain, input);
  const after = verifyPatch(input, reads, changes);
  const settings = input.settings.map((request) =>
    settingPlan(request, chain, after, intents, input.maxSeconds, valueFlavor(input.views)),
  );
  return { settings, changes, chain, warnings: [...chain.warnings, ...homeWarnings(intents, chain, input)] };
}

function readOrRefuse(source: ChainSource, view: ServerReader): ReadOptionsResult {
  try {
    return readChain(source, view);
  } catch (err) {
    if (err instanceof OptionFileError) throw refusalFor(err);
    throw err;
  }
}

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
function refuseUnknownVersionGroups(
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

/** Whose number rules read the values: the server's when known, else none (both must agree). */
export function valueFlavor(views: readonly ServerReader[]): Flavor | null {
  return views.length === 1 ? (views[0] as ServerReader).flavor : null;
}

function intentsFor(input: PatchInput, view: ServerReader, result: ReadOptionsResult): Intent[] {
  const intents: Intent[] = [];
  let anchor: ReturnType<typeof insertionAnchor> | undefined;
  for (const request of input.settings) {
    const occurrences = occurrencesOf(result.options, request.name);
    const winner = occurrences.at(-1);
    const reading = settingReading(result.options, request.name, input.maxSeconds, valueFlavor(input.views));
    refuseUnreadableEarlier(reading, request.name);
    if (winner?.form === 'alias') {
      const { file, line, rawName } = winner.option;
      throw new PatchRefused(
        `${file}, line ${line}: "${rawName}" sets ${request.name} too (the server takes it for ${request.name}), and it is the last one read. dbcache edits only the plain name; change or remove that line by hand. Nothing was written.`,
      );
    }
    if (winner !== undefined) {
      const { record, index } = locate(result, winner.option.source);
      const same = givesExactly(reading, request.seconds);
      intents.push({
        kind: same ? 'unchanged' : 'set',
        setting: request.name,
        realPath: realPathOf(record),
        index,
      });
      continue;
    }
    anchor ??= insertionAnchor(input, view, result, request.name);
    intents.push(
      anchor.kind === 'insert'
        ? {
            kind: 'insert',
            setting: request.name,
            realPath: anchor.realPath,
            afterIndex: anchor.afterIndex,
            spelling: spell(request.name, anchor.neighbour),
          }
        : { kind: 'create-group', setting: request.name, realPath: anchor.realPath, spelling: request.name },
    );
  }
  return intents;
}

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
function insertionAnchor(
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
function homeWarnings(intents: readonly Intent[], chain: ReadOptionsResult, input: PatchInput): string[] {
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
function spell(name: SettingName, neighbour: string | null): string {
  return neighbour?.includes('-') && !neighbour.includes('_') ? name.replaceAll('_', '-') : name;
}

function realPathOf(record: FileRecord): string {
  if (record.realPath === null) {
    throw new PatchRefused(`Cannot find the real file behind ${record.path}. Nothing was written.`);
  }
  return record.realPath;
}

function applyIntents(intents: readonly Intent[], chain: ReadOptionsResult, input: PatchInput): FileChange[] {
  const changes: FileChange[] = [];
  const touched = [...new Set(intents.filter((i) => i.kind !== 'unchanged').map((i) => i.realPath))];
  for (const realPath of touched) {
    const record = chain.files.find((candidate) => candidate.realPath === realPath && candidate.doc !== null);
    if (!record?.doc) throw new Error(`${realPath} was not read.`);
    refuseUnsafeFile(record, intents, input);
    const before = serialize(record.doc);
    let doc = record.doc;
    try {
      doc = applyToDoc(
        doc,
        intents.filter((intent) => intent.realPath === realPath),
        input,
      );
    } catch (err) {
      if (err instanceof PatchRefused) throw err;
      throw new PatchRefused(
        `${record.path}: the edit cannot be made safely: ${(err as Error).message}. Nothing was written.`,
      );
    }
    changes.push({ path: record.path, realPath, before, after: serialize(doc) });
  }
  return changes;
}

function refuseUnsafeFile(record: FileRecord, intents: readonly Intent[], input: PatchInput): void {
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
  return isHomeFile || groups.length > 0;
}

function groupsOf(doc: OptionFileDoc): string[] {
  return doc.lines.flatMap((line) => (line.kind === 'group' ? [line.name] : []));
}

function describeGroups(doc: OptionFileDoc): string {
  const groups = [...new Set(groupsOf(doc))];
  return groups.length === 0
    ? 'no groups'
    : `only ${groups.map((group) => `[${byteStringToText(group)}]`).join(' ')}`;
}

/** Edits from the bottom up, so that earlier line indices stay valid. */
function applyToDoc(doc: OptionFileDoc, intents: readonly Intent[], input: PatchInput): OptionFileDoc {
  const value = (setting: SettingName) =>
    String((input.settings.find((request) => request.name === setting) as SettingRequest).seconds);
  const at = (intent: Intent) =>
    intent.kind === 'set' ? intent.index : intent.kind === 'insert' ? intent.afterIndex : -1;
  const positions = [...new Set(intents.map(at).filter((index) => index >= 0))].sort((a, b) => b - a);
  let edited = doc;
  for (const position of positions) {
    for (const intent of intents) {
      if (intent.kind === 'set' && intent.index === position) {
        edited = setOptionValue(edited, position, value(intent.setting));
      }
    }
    let after = position;
    for (const intent of intents) {
      if (intent.kind === 'insert' && intent.afterIndex === position) {
        edited = insertOptionLine(edited, after, intent.spelling, value(intent.setting));
        after++;
      }
    }
  }
  const created = intents.filter((intent) => intent.kind === 'create-group');
  if (created.length > 0) {
    const appended = appendGroup(edited, 'mysqld');
    edited = appended.doc;
    let after = appended.headerIndex;
    for (const intent of created) {
      edited = insertOptionLine(edited, after, intent.spelling, value(intent.setting));
      after++;
    }
  }
  return edited;
}

function settingPlan(
  request: SettingRequest,
  before: ReadOptionsResult,
  after: ReadOptionsResult,
  intents: readonly Intent[],
  maxSeconds: number,
  flavor: Flavor | null,
): SettingPlan {
  const info = (occurrence: Occurrence | undefined) =>
    occurrence === undefined ? null : occurrenceInfo(occurrence, maxSeconds, flavor);
  const occurrences = occurrencesOf(before.options, request.name);
  const intent = intents.find((candidate) => candidate.setting === request.name) as Intent;
  const result = info(occurrencesOf(after.options, request.name).at(-1));
  if (result === null) throw new Error(`${request.name} vanished from the edited files.`);
  return {
    name: request.name,
    requested: request.seconds,
    current: info(occurrences.at(-1)),
    action: intent.kind,
    result,
    overridden: occurrences.slice(0, -1).map((occurrence) => occurrenceInfo(occurrence, maxSeconds, flavor)),
  };
}

export function occurrenceInfo(
  occurrence: Occurrence,
  maxSeconds: number,
  flavor: Flavor | null,
): OccurrenceInfo {
  const { option } = occurrence;
  const reading = readOccurrence(occurrence, maxSeconds, flavor);
  return {
    file: option.file,
    line: option.line,
    group: option.group,
    rawName: option.rawName,
    value: option.value,
    seconds: reading.ok ? reading.seconds : null,
    unreadable: reading.ok ? null : reading.kind,
    note: reading.ok ? reading.adjusted : reading.reason,
  };
}

/**
 * The server reads every occurrence and stops at the first value it rejects, even one that a
 * later line overrides: changing the last line would not make it start. An earlier value
 * dbcache cannot read leaves the same doubt.
 */
function refuseUnreadableEarlier(reading: SettingReading, setting: SettingName): void {
  const { unreadable, winner } = reading;
  if (unreadable === null || unreadable.occurrence === winner) return;
  const { file, line, rawName, value } = unreadable.occurrence.option;
  throw new PatchRefused(
    `${file}, line ${line}: ${rawName} = ${value ?? ''}: ${unreadable.reason}. The server reads that line as well as the later ${setting} line that overrides it, so changing only the last one would not give a server that starts with the value; fix or remove that line first. Nothing was written.`,
  );
}
