/**
 * The patch planner's vocabulary: what is asked, what the server reads, and the plan that comes
 * out (what each setting is now and after, and the bytes of each file before and after).
 */
import type { Flavor, ReadOptionsResult } from '../optionfile/index.ts';
import type { ChainSource } from '../serverfiles/chain.ts';
import type { ServerReader } from '../serverfiles/reader.ts';
import type { LeftAlone } from './left-alone.ts';
import type { SettingName } from './occurrences.ts';

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
  /** Lines that other versions or flavors of server sharing the files still read, with another value. */
  leftAlone: LeftAlone[];
}

export type Intent =
  | { kind: 'unchanged' | 'set'; setting: SettingName; realPath: string; index: number }
  | { kind: 'insert'; setting: SettingName; realPath: string; afterIndex: number; spelling: string }
  | { kind: 'create-group'; setting: SettingName; realPath: string; spelling: string };

/** Whose number rules read the values: the server's when known, else none (both must agree). */
export function valueFlavor(views: readonly ServerReader[]): Flavor | null {
  return views.length === 1 ? (views[0] as ServerReader).flavor : null;
}
