/**
 * Turns the planned edits into new file contents: in place, after a neighbour, or in a new
 * `[mysqld]` group at the end of a file, bottom up so that line numbers stay valid.
 */
import {
  insertOptionLine,
  type OptionFileDoc,
  type ReadOptionsResult,
  serialize,
  setOptionValue,
} from '../optionfile/index.ts';
import type { FileChange, Intent, PatchInput, SettingRequest } from './model.ts';
import { appendGroup } from './new-group.ts';
import type { SettingName } from './occurrences.ts';
import { refuseUnsafeFile } from './refusals.ts';
import { PatchRefused } from './refused.ts';

export function applyIntents(
  intents: readonly Intent[],
  chain: ReadOptionsResult,
  input: PatchInput,
): FileChange[] {
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
