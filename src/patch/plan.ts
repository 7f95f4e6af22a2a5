/**
 * Plans a patch of the server's option files: find where each setting takes effect, decide the
 * smallest edit, apply it to the parsed files in memory, and prove (by reading the edited files
 * again, as every possible server reads them) that the server will get exactly the requested
 * values and nothing else changes. Pure but for reading files through the injected file system.
 * The refusal rules are in refusals.ts, the insertion point in anchor.ts, the edit in apply.ts.
 */
import { type Flavor, OptionFileError, type ReadOptionsResult } from '../optionfile/index.ts';
import { type ChainSource, locate, readChain } from '../serverfiles/chain.ts';
import { describeReader, type ServerReader } from '../serverfiles/reader.ts';
import { homeWarnings, insertionAnchor, realPathOf, spell } from './anchor.ts';
import { applyIntents } from './apply.ts';
import { leftAlone } from './left-alone.ts';
import {
  type Intent,
  type OccurrenceInfo,
  type PatchInput,
  type PatchPlan,
  type SettingPlan,
  type SettingRequest,
  valueFlavor,
} from './model.ts';
import {
  givesExactly,
  type Occurrence,
  occurrencesOf,
  readOccurrence,
  settingReading,
} from './occurrences.ts';
import {
  describeGroups,
  refusalFor,
  refuseAliasWinner,
  refuseNotAFile,
  refuseUnknownVersionGroups,
  refuseUnreadable,
  refuseUnreadableEarlier,
} from './refusals.ts';
import { PatchRefused } from './refused.ts';
import { verifyPatch } from './verify.ts';

export type {
  Action,
  FileChange,
  OccurrenceInfo,
  PatchInput,
  PatchPlan,
  SettingPlan,
  SettingRequest,
} from './model.ts';
export { refusalFor, refuseUnreadable } from './refusals.ts';
export { PatchRefused, valueFlavor };

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
  return {
    settings,
    changes,
    chain,
    leftAlone: leftAlone(input, chain, changes),
    warnings: [...chain.warnings, ...homeWarnings(intents, chain, input), ...newGroupNotes(intents, chain)],
  };
}

function readOrRefuse(source: ChainSource, view: ServerReader): ReadOptionsResult {
  try {
    return readChain(source, view);
  } catch (err) {
    if (err instanceof OptionFileError) throw refusalFor(err);
    throw err;
  }
}

function intentsFor(input: PatchInput, view: ServerReader, result: ReadOptionsResult): Intent[] {
  const intents: Intent[] = [];
  let anchor: ReturnType<typeof insertionAnchor> | undefined;
  for (const request of input.settings) {
    const occurrences = occurrencesOf(result.options, request.name);
    const winner = occurrences.at(-1);
    const reading = settingReading(result.options, request.name, input.maxSeconds, valueFlavor(input.views));
    refuseUnreadableEarlier(reading, request.name);
    refuseAliasWinner(winner, request.name);
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

/** A new `[mysqld]` group is said out loud, with what the file held before (kept as it was, ahead of it). */
function newGroupNotes(intents: readonly Intent[], chain: ReadOptionsResult): string[] {
  const paths = [
    ...new Set(intents.filter((intent) => intent.kind === 'create-group').map((i) => i.realPath)),
  ];
  return paths.flatMap((realPath) => {
    const record = chain.files.find((candidate) => candidate.realPath === realPath && candidate.doc !== null);
    if (record?.doc == null) return [];
    return [
      `${record.path} has no group dbcache adds server settings to (${describeGroups(record.doc)}): it adds a [mysqld] group at the end, after the file's own lines, which stay as they are.`,
    ];
  });
}
