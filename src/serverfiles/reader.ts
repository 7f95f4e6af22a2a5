/**
 * Which server reads the files: its flavor and version decide the groups (MariaDB reads
 * `[mariadb]` and `[client-server]`, MySQL does not; `[mysqld-10.11]` is read by 10.11 only).
 */
import { type Flavor, isGroupIn, serverGroups, textToByteString } from '../optionfile/index.ts';
import type { ServerIdentity } from '../server/identity.ts';

export interface ServerReader {
  flavor: Flavor;
  /** `10.11`, `8.0`; null when unknown, so no version group is read. */
  version: string | null;
  /** The groups the server reads, in the server's order. */
  groups: string[];
}

export function serverReader(
  flavor: Flavor,
  version: string | null,
  groups?: readonly string[],
): ServerReader {
  const series = version === null ? null : (/^(\d+)\.(\d+)/.exec(version)?.slice(1, 3).join('.') ?? null);
  return { flavor, version: series, groups: groups ? [...groups] : serverGroups(flavor, series ?? '') };
}

/** `--defaults-group-suffix=S`: every group is also read as `<group>S`. */
export function withGroupSuffix(view: ServerReader, suffix: string | null): ServerReader {
  if (!suffix) return view;
  return { ...view, groups: [...view.groups, ...view.groups.map((group) => `${group}${suffix}`)] };
}

/** Which option-file reader a running server is: Percona Server reads files as MySQL does. */
export function flavorOf(identity: Pick<ServerIdentity, 'flavor'>): Flavor {
  return identity.flavor === 'MariaDB' ? 'mariadb' : 'mysql';
}

export function describeReader(view: ServerReader): string {
  const name = view.flavor === 'mariadb' ? 'MariaDB' : 'MySQL';
  return view.version === null ? name : `${name} ${view.version}`;
}

/**
 * Groups a setting may be added to: read by the server, and by nothing else. `[client-server]`
 * is read by every client too (which would stop at an unknown `wait_timeout`), and `[galera]`
 * is meant for the cluster settings. (Version groups are read by the server; the planner adds
 * a new line to one only beside the other timeout, see plan.ts.)
 */
export function isInsertableGroup(group: string, view: ServerReader): boolean {
  const groups = view.groups.filter((name) => !['client-server', 'galera'].includes(name.toLowerCase()));
  return isGroupIn(group, groups.map(textToByteString));
}

/** `[mysqld-5.7]`, `[mariadb-10.6]`, `[mariadbd-11]`: read by one server version only. */
export const VERSION_GROUP = /^(mysqld|mariadb|mariadbd)-\d+(\.\d+)?$/i;
