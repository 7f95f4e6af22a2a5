/**
 * Does the running server read these option files? Only a server on this machine can, and
 * only the server can say: MariaDB lists, per variable, the option file that set it
 * (information_schema.SYSTEM_VARIABLES.GLOBAL_VALUE_PATH), MySQL 8 likewise
 * (performance_schema.variables_info.VARIABLE_PATH).
 */
import { readFileSync, readlinkSync } from 'node:fs';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Transport } from '../connection/resolve.ts';
import type { OptionFileRef, ReadOptionsResult } from '../optionfile/index.ts';
import { isServerError } from '../output/errors.ts';
import { hasSetPersist, type ServerIdentity } from '../server/identity.ts';
import type { VariableOrigin } from '../server/variables.ts';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * A socket, or TCP to this machine's loopback address. Necessary, not sufficient: a container's
 * port published on 127.0.0.1 is local too; serverIsHere() tells.
 */
export function isLocalTransport(transport: Transport): boolean {
  return (
    transport.kind === 'socket' ||
    LOCAL_HOSTS.has(transport.host.toLowerCase()) ||
    /^127\./.test(transport.host)
  );
}

/**
 * The option files the server says its settings came from; `files` is null when it cannot say
 * (older servers), or will not say to this user (`hiddenBy` then names the privilege that would
 * tell). An empty list means no setting came from a file: the server was started with
 * --no-defaults, or its files set nothing it reports.
 */
export interface ConfigFiles {
  files: string[] | null;
  /** Why `files` is null when a privilege would tell: one sentence; else null. */
  hiddenBy: string | null;
}

/** MySQL's sources for a value read from an option file (variables_info.VARIABLE_SOURCE). */
const MYSQL_FILE_SOURCES = ['GLOBAL', 'SERVER', 'EXPLICIT', 'EXTRA', 'USER'];

export async function readConfigFiles(
  connection: Connection,
  identity: ServerIdentity,
): Promise<ConfigFiles> {
  return (await readSettingSources(connection, identity)).configFiles;
}

/**
 * Where the global value of `name` came from (MariaDB 10.2+ information_schema.SYSTEM_VARIABLES,
 * MySQL 8 performance_schema.variables_info; null when the server cannot say or this user may
 * not read the table), and the option files the server took settings from: one statement, since
 * each is a scan of the server's whole variable table.
 */
export async function readSettingSources(
  connection: Connection,
  identity: ServerIdentity,
  name?: string,
): Promise<{ origin: VariableOrigin | null; configFiles: ConfigFiles }> {
  const unknown = { origin: null, configFiles: { files: null, hiddenBy: null } };
  const mariadb = identity.flavor === 'MariaDB';
  if (!mariadb && !hasSetPersist(identity)) return unknown;
  const named = name === undefined ? '' : 'VARIABLE_NAME = ? OR ';
  const sql = mariadb
    ? `SELECT VARIABLE_NAME AS name, GLOBAL_VALUE_ORIGIN AS source, GLOBAL_VALUE_PATH AS path FROM information_schema.SYSTEM_VARIABLES WHERE ${named}GLOBAL_VALUE_ORIGIN = 'CONFIG'`
    : `SELECT VARIABLE_NAME AS name, VARIABLE_SOURCE AS source, VARIABLE_PATH AS path FROM performance_schema.variables_info WHERE ${named}(VARIABLE_SOURCE IN (${MYSQL_FILE_SOURCES.map((source) => `'${source}'`).join(', ')}) AND VARIABLE_PATH <> '')`;
  // MariaDB keeps variable names in capitals there, MySQL in lower case.
  const key = name === undefined ? undefined : mariadb ? name.toUpperCase() : name;
  let rows: RowDataPacket[];
  try {
    [rows] = await connection.query<RowDataPacket[]>(sql, key === undefined ? [] : [key]);
  } catch (err) {
    // The server refusing (no privilege, no such table) means it cannot say; a statement past its
    // deadline or a lost connection is the run's failure, as for any other statement.
    if (!isServerError(err)) throw err;
    return mariadb
      ? unknown
      : {
          origin: null,
          configFiles: {
            files: null,
            hiddenBy:
              'MySQL names the option file behind each setting in performance_schema.variables_info, which the user dbcache connects as may not read (it needs SELECT on performance_schema)',
          },
        };
  }
  const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  // The statement's WHERE is an OR of the two questions: each answer picks its own rows again.
  const row = key === undefined ? undefined : rows.find((candidate) => text(candidate.name) === key);
  const origin = row ? { source: text(row.source), path: text(row.path) || null } : null;
  const fromFiles = rows.filter((candidate) =>
    mariadb
      ? text(candidate.source) === 'CONFIG'
      : MYSQL_FILE_SOURCES.includes(text(candidate.source)) && text(candidate.path) !== '',
  );
  // GLOBAL_VALUE_PATH is NULL for a setting from a file unless the user has FILE (sql_show.cc).
  if (mariadb && fromFiles.some((candidate) => candidate.path === null)) {
    return {
      origin,
      configFiles: {
        files: null,
        hiddenBy:
          'MariaDB names the option file behind each setting (information_schema.SYSTEM_VARIABLES.GLOBAL_VALUE_PATH) only to a user with the FILE privilege, which the user dbcache connects as lacks',
      },
    };
  }
  const files = [...new Set(fromFiles.map((candidate) => text(candidate.path)))].sort();
  return { origin, configFiles: { files, hiddenBy: null } };
}

/**
 * true: the server took settings from at least one of the files; false: it took settings from
 * files, or could have, but from none of these; null: it cannot tell.
 */
export function readsChain(
  configFiles: readonly string[] | null,
  chain: ReadOptionsResult,
  realPath: (path: string) => string | null,
): boolean | null {
  if (configFiles === null) return null;
  const inChain = new Set(chain.files.flatMap((file) => [file.path, file.realPath ?? file.path]));
  if (configFiles.some((file) => inChain.has(file) || inChain.has(realPath(file) ?? file))) return true;
  // A server that reads these files reports at least one of their settings as coming from them.
  const setsSomething = chain.options.length > 0;
  return configFiles.length > 0 || setsSomething ? false : null;
}

/** How the running server was started, as far as its option files go. */
export interface ServerStartup {
  pid: number;
  /** The program's arguments (argv[1..]). */
  args: string[];
  /**
   * Whether it sees this machine's files: its root directory is `/` and its mount namespace is
   * dbcache's (a server in a container is not). Null when this process may not look.
   */
  sameFiles: boolean | null;
}

/**
 * Whether a server that answered on a socket or loopback address runs on this machine, with
 * this machine's files: its `@@hostname` is this machine's name (a container has its own) and,
 * where its process could be found, it sees the same root and mounts. Returns why not, or null.
 */
export function notHere(
  serverHostname: string | null,
  localHostname: string,
  startup: ServerStartup | null,
): string | null {
  if (serverHostname !== null && serverHostname.toLowerCase() !== localHostname.toLowerCase()) {
    return `its host name is ${serverHostname} and this machine's is ${localHostname} (a container, or another machine through a tunnel)`;
  }
  if (startup?.sameFiles === false) {
    return `its process (${startup.pid}) has another root directory or other mounts (a container or chroot)`;
  }
  return null;
}

/**
 * Reads the server's command line from /proc (Linux), finding the process through the pid file
 * the server names (`@@pid_file`). Null elsewhere, or when the process is not a server program
 * (a pid file from another container, a stale pid).
 */
export function readServerStartup(pidFile: string, proc = '/proc'): ServerStartup | null {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return null;
    const argv = readFileSync(`${proc}/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    if (!/(^|\/)(mysqld|mariadbd)$/.test(argv[0] ?? '')) return null;
    return { pid, args: argv.slice(1), sameFiles: seesOurFiles(`${proc}/${pid}`, `${proc}/self`) };
  } catch {
    return null;
  }
}

/** Another user's process hides its root and namespaces (unless dbcache runs as root): null. */
function seesOurFiles(process: string, self: string): boolean | null {
  const link = (path: string) => {
    try {
      return readlinkSync(path);
    } catch {
      return null;
    }
  };
  const root = link(`${process}/root`);
  const mounts = link(`${process}/ns/mnt`);
  const ourMounts = link(`${self}/ns/mnt`);
  if (root === null && mounts === null) return null;
  if (root !== null && root !== '/') return false;
  if (mounts !== null && ourMounts !== null && mounts !== ourMounts) return false;
  return true;
}

interface StartupFiles {
  files: OptionFileRef[];
  /** `--defaults-group-suffix`: every group is also read with this appended. */
  groupSuffix: string | null;
  /** The flags that decided it, for messages; empty when the server uses its default files. */
  flags: string[];
  /** `--no-defaults`: no file at all. */
  noDefaults: boolean;
}

/**
 * The option files a server started with `args` reads: --no-defaults, --defaults-file and
 * --defaults-extra-file count only at the start of the command line (get_defaults_options()).
 * A relative path stays relative: the server resolved it against the directory it was started
 * from, which is not known (it has moved to its data directory since).
 */
export function filesFromStartup(
  startup: Pick<ServerStartup, 'args'>,
  defaults: readonly OptionFileRef[] | (() => OptionFileRef[]),
): StartupFiles {
  const value = (arg: string, name: string) =>
    arg.startsWith(`--${name}=`) ? arg.slice(name.length + 3) : null;
  let noDefaults = false;
  let defaultsFile: string | null = null;
  let extraFile: string | null = null;
  let groupSuffix: string | null = null;
  const flags: string[] = [];
  for (const arg of startup.args) {
    if (arg === '--no-defaults') noDefaults = true;
    else if (value(arg, 'defaults-file') !== null) defaultsFile = value(arg, 'defaults-file');
    else if (value(arg, 'defaults-extra-file') !== null) extraFile = value(arg, 'defaults-extra-file');
    else if (value(arg, 'defaults-group-suffix') !== null) groupSuffix = value(arg, 'defaults-group-suffix');
    else break;
    flags.push(arg);
  }
  if (noDefaults) return { files: [], groupSuffix, flags, noDefaults };
  if (defaultsFile !== null)
    return { files: [{ path: defaultsFile, required: true }], groupSuffix, flags, noDefaults };
  const files = typeof defaults === 'function' ? defaults() : [...defaults];
  if (extraFile === null) return { files, groupSuffix, flags, noDefaults };
  // The extra file comes after the global files and before ~/.my.cnf.
  const home = files.findIndex((file) => /[\\/]\.my\.cnf$/.test(file.path));
  files.splice(home === -1 ? files.length : home, 0, { path: extraFile, required: true });
  return { files, groupSuffix, flags, noDefaults };
}
