/**
 * Where the servers and clients look for option files, and which groups they read: pure
 * functions of the platform, environment and build, after init_default_directories() and
 * my_load_defaults() in the servers' mysys/my_default.c (MariaDB; mysys/my_default.cc in MySQL),
 * the groups in load_defaults() calls of sql/mysqld.cc, and the manuals: MariaDB's "Configuring
 * MariaDB with Option Files" (https://mariadb.com/kb/en/configuring-mariadb-with-option-files/)
 * and MySQL's "Using Option Files" (https://dev.mysql.com/doc/refman/8.0/en/option-files.html).
 */
import { posix, win32 } from 'node:path';
import type { OptionFileRef } from './resolve.ts';

export type Flavor = 'mariadb' | 'mysql';

export interface SearchPathContext {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  flavor: Flavor;
  /**
   * The build's SYSCONFDIR, if it has one: `/etc` for MariaDB RPMs, `/usr/local/etc` or
   * `/opt/homebrew/etc` for Homebrew. MariaDB reads it instead of /etc and /etc/mysql; MySQL
   * reads it after them. Debian/Ubuntu packages and tarballs have none.
   */
  sysconfdir?: string;
  /** Windows: the installation directory, the parent of the program's `bin\`. */
  installDir?: string;
}

/** A default location, or the place in the order where `--defaults-extra-file` is read. */
export type SearchPathEntry = { kind: 'file'; path: string } | { kind: 'defaults-extra-file' };

const EXTRA_FILE_SLOT = '';
const HOME_SLOT = '~/';

/**
 * The files a client reads by default. Same order as the server (one mysys routine). MySQL
 * clients also read the obfuscated ~/.mylogin.cnf last; it is not a text option file and is
 * left out.
 */
export function clientOptionFiles(context: SearchPathContext): SearchPathEntry[] {
  return defaultFiles(context);
}

/** The files the server reads by default (Windows: the my.ini locations, .ini before .cnf). */
export function serverOptionFiles(context: SearchPathContext): SearchPathEntry[] {
  return defaultFiles(context);
}

function defaultFiles(context: SearchPathContext): SearchPathEntry[] {
  const windows = context.platform === 'win32';
  const path = windows ? win32 : posix;
  const names = windows ? ['my.ini', 'my.cnf'] : ['my.cnf'];
  return searchDirectories(context).flatMap((dir): SearchPathEntry[] => {
    if (dir === EXTRA_FILE_SLOT) return [{ kind: 'defaults-extra-file' }];
    if (dir === HOME_SLOT) return [{ kind: 'file', path: path.join(context.home, '.my.cnf') }];
    return names.map((name) => ({ kind: 'file', path: dir + name }));
  });
}

function searchDirectories(context: SearchPathContext): string[] {
  const { env, flavor, sysconfdir, installDir } = context;
  const windows = context.platform === 'win32';
  const dirs: string[] = [];
  // add_directory(): a directory already listed moves to the later position, read only once.
  const add = (dir: string) => {
    const normalized = normalizeDir(dir, windows);
    const seen = dirs.indexOf(normalized);
    if (seen !== -1) dirs.splice(seen, 1);
    dirs.push(normalized);
  };

  if (windows) {
    const windowsDir = envValue(env, 'SystemRoot', true) ?? envValue(env, 'windir', true);
    if (windowsDir) add(windowsDir);
    add('C:/');
    if (installDir) {
      add(installDir);
      if (flavor === 'mariadb') add(win32.join(installDir, 'data'));
    }
  } else if (flavor === 'mariadb' && sysconfdir) {
    add(sysconfdir);
  } else {
    add('/etc/');
    add('/etc/mysql/');
    if (sysconfdir) add(sysconfdir);
  }

  // MariaDB 10.6+ reads MARIADB_HOME if it is set at all (even empty) and then ignores MYSQL_HOME.
  const mariadbHome = flavor === 'mariadb' ? envValue(env, 'MARIADB_HOME', windows) : undefined;
  const optionHome = mariadbHome ?? envValue(env, 'MYSQL_HOME', windows);
  if (optionHome !== undefined) add(optionHome);
  add(EXTRA_FILE_SLOT);
  if (!windows) add(HOME_SLOT);
  return dirs;
}

/** normalize_dirname(): one trailing separator; Windows uses backslashes. An empty dir stays empty. */
function normalizeDir(dir: string, windows: boolean): string {
  if (dir === '' || dir === HOME_SLOT) return dir;
  const separator = windows ? '\\' : '/';
  const converted = windows ? dir.replaceAll('/', '\\') : dir;
  return converted.endsWith(separator) ? converted : converted + separator;
}

/** Environment names are case-insensitive on Windows. */
function envValue(env: SearchPathContext['env'], name: string, ignoreCase: boolean): string | undefined {
  if (!ignoreCase) return env[name];
  const key = Object.keys(env).find((candidate) => candidate.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

export interface DefaultsFlags {
  /** `--no-defaults`: read no option file at all. */
  noDefaults?: boolean;
  /** `--defaults-file=F`: read only F; a missing F is an error. */
  defaultsFile?: string;
  /** `--defaults-extra-file=F`: read F after the global files; a missing F is an error. */
  defaultsExtraFile?: string;
}

/** The files to read once the `--defaults-*` flags are applied, as readOptions() takes them. */
export function applyDefaultsFlags(
  flags: DefaultsFlags,
  entries: readonly SearchPathEntry[],
): OptionFileRef[] {
  if (flags.noDefaults) return [];
  if (flags.defaultsFile !== undefined) return [{ path: flags.defaultsFile, required: true }];
  return entries.flatMap((entry): OptionFileRef[] => {
    if (entry.kind === 'file') return [{ path: entry.path, required: false }];
    return flags.defaultsExtraFile === undefined ? [] : [{ path: flags.defaultsExtraFile, required: true }];
  });
}

/** The groups dbcache reads: the client groups every MariaDB/MySQL client shares, then its own. */
export const CLIENT_GROUPS: readonly string[] = ['client', 'client-server', 'client-mariadb', 'dbcache'];

/**
 * The groups the server reads, from its version string (`10.11.6-MariaDB-0+deb12u1`, `8.0.36`).
 * MariaDB 10.11 checked with `mariadbd --verbose --help`; `galera` is in every Linux build.
 */
export function serverGroups(flavor: Flavor, version: string): string[] {
  const match = /^(\d+)\.(\d+)/.exec(version.trim());
  const series = match ? `${match[1]}.${match[2]}` : null;
  const versioned = (group: string) => (series === null ? [] : [`${group}-${series}`]);
  if (flavor === 'mysql') return ['mysqld', 'server', ...versioned('mysqld')];
  return [
    'mysqld',
    'server',
    ...versioned('mysqld'),
    'mariadb',
    ...versioned('mariadb'),
    'mariadbd',
    ...versioned('mariadbd'),
    'client-server',
    'galera',
  ];
}
