/**
 * One option file is often shared by servers of several versions or flavors (`[mysqld-8.0]`,
 * `[mariadb-10.11]`, `[mysqld-5.7]`, `[server]` next to `[mariadb]`). The patch is made for the
 * server at hand; this names, for every other server the files' groups speak to, the line that
 * server would still take the setting from after the edit, when it is not the requested value,
 * and the flags that would patch it too.
 */
import { byteStringToText, OptionFileError, type ReadOptionsResult } from '../optionfile/index.ts';
import { readChain } from '../serverfiles/chain.ts';
import { describeReader, type ServerReader, serverReader, VERSION_GROUP } from '../serverfiles/reader.ts';
import type { FileChange, PatchInput } from './model.ts';
import { occurrencesOf, type SettingName, settingReading } from './occurrences.ts';
import { overlayFs } from './verify.ts';

export interface LeftAlone {
  setting: SettingName;
  /** The other server: `MySQL 8.0`, `MySQL` (any version). */
  server: { flavor: 'mariadb' | 'mysql'; version: string | null; name: string };
  file: string;
  line: number;
  group: string;
  rawName: string;
  value: string | null;
  /** What that server gets after the edit; null when it refuses the value or dbcache cannot tell. */
  seconds: number | null;
  /** The flags that make patch-config patch for that server (`--flavor mysql --server-version 8.0`). */
  flags: string[];
}

/** The servers a group is meant for: `[mysqld-8.0]` MySQL 8.0, `[mariadb-10.6]` MariaDB 10.6. */
function readersOf(group: string): ServerReader | null {
  const match = /^(mysqld|mariadbd?)-(\d+)\.(\d+)$/i.exec(group);
  if (!match || !VERSION_GROUP.test(group)) return null;
  const [, name, major, minor] = match as unknown as [string, string, string, string];
  const flavor = name.toLowerCase() === 'mysqld' && Number(major) < 10 ? 'mysql' : 'mariadb';
  return serverReader(flavor, `${major}.${minor}`);
}

/** Other servers that may read the same files: the other flavor, and every version a group names. */
function otherServers(input: PatchInput, chain: ReadOptionsResult): ServerReader[] {
  const same = (a: ServerReader, b: ServerReader) => a.flavor === b.flavor && a.version === b.version;
  const candidates: ServerReader[] = [];
  const add = (view: ServerReader | null) => {
    if (view === null) return;
    if (input.views.some((current) => same(current, view)) || candidates.some((known) => same(known, view)))
      return;
    candidates.push(view);
  };
  for (const flavor of ['mariadb', 'mysql'] as const) {
    if (!input.views.some((view) => view.flavor === flavor)) add(serverReader(flavor, null));
  }
  for (const record of chain.files) {
    for (const line of record.doc?.lines ?? []) {
      if (line.kind !== 'group') continue;
      add(readersOf(byteStringToText(line.name)));
    }
  }
  return candidates;
}

export function leftAlone(
  input: PatchInput,
  chain: ReadOptionsResult,
  changes: readonly FileChange[],
): LeftAlone[] {
  const fs = overlayFs(input.source.fs, changes);
  const found: LeftAlone[] = [];
  for (const view of otherServers(input, chain)) {
    let after: ReadOptionsResult;
    try {
      after = readChain(input.source, view, fs);
    } catch (err) {
      if (err instanceof OptionFileError) continue;
      throw err;
    }
    for (const request of input.settings) {
      const winner = occurrencesOf(after.options, request.name).at(-1);
      if (winner === undefined) continue;
      const reading = settingReading(after.options, request.name, input.maxSeconds, view.flavor);
      if (reading.seconds === request.seconds) continue;
      const { option } = winner;
      found.push({
        setting: request.name,
        server: { flavor: view.flavor, version: view.version, name: describeReader(view) },
        file: option.file,
        line: option.line,
        group: option.group,
        rawName: option.rawName,
        value: option.value,
        seconds: reading.seconds,
        flags: [
          '--flavor',
          view.flavor,
          ...(view.version === null ? [] : ['--server-version', view.version]),
        ],
      });
    }
  }
  return found;
}
