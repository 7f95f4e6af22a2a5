/**
 * The installed server program is the only reliable answer to "which files and groups does the
 * server read": `mariadbd --no-defaults --verbose --help` prints its version, the default
 * option files in order and the groups, without reading any file (checked with MariaDB 10.11;
 * MySQL prints the same two lines).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, posix, win32 } from 'node:path';
import {
  applyDefaultsFlags,
  type Flavor,
  type OptionFileRef,
  serverOptionFiles,
} from '../optionfile/index.ts';

export interface ServerProgram {
  path: string;
  flavor: Flavor;
  /** `10.11.19-MariaDB-0+deb12u1`, `8.0.36`. */
  version: string;
  /** The default option files, in the order the server reads them (`~` expanded). */
  files: string[];
  groups: string[];
}

const PLACES = [
  '/usr/sbin',
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/local/mysql/bin',
  '/opt/homebrew/sbin',
  '/opt/homebrew/bin',
];

/** The server program on this machine: `mariadbd` or `mysqld` on PATH or where packages put it. */
export function findServerProgram(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  const windows = platform === 'win32';
  const dirs = [...(env.PATH ?? env.Path ?? '').split(windows ? ';' : delimiter).filter(Boolean)];
  if (!windows) dirs.push(...PLACES);
  const names = windows ? ['mariadbd.exe', 'mysqld.exe'] : ['mariadbd', 'mysqld'];
  for (const name of names) {
    for (const dir of dirs) {
      const path = (windows ? win32 : posix).join(dir, name);
      if (exists(path)) return path;
    }
  }
  return undefined;
}

/** What `--verbose --help` says; null when the output is not a server's help text. */
export function parseServerHelp(
  output: string,
  path: string,
  home: string,
): (Omit<ServerProgram, 'files'> & { files: string[] | null }) | null {
  const version = /\bVer\s+(\S+)/.exec(output)?.[1];
  const groups = /^The following groups are read:(.*)$/m.exec(output)?.[1]?.trim().split(/\s+/);
  if (version === undefined || groups === undefined) return null;
  const header = output.indexOf('Default options are read from the following files in the given order:');
  const fileLine = header === -1 ? null : (output.slice(header).split('\n')[1] ?? null);
  const flavor: Flavor = /mariadb/i.test(output.split('\n').find((line) => /\bVer\s/.test(line)) ?? '')
    ? 'mariadb'
    : 'mysql';
  const files =
    fileLine === null
      ? null
      : fileLine
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map((file) => (file.startsWith('~/') ? join(home, file.slice(2)) : file));
  return { path, flavor, version, files, groups };
}

/** Runs the program; null if it cannot be run or says something unexpected. */
export function probeServerProgram(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): ServerProgram | null {
  const run = spawnSync(path, ['--no-defaults', '--verbose', '--help'], {
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 16 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (run.error || typeof run.stdout !== 'string') return null;
  const parsed = parseServerHelp(run.stdout, path, home);
  // Paths with spaces (Windows) cannot be split back out of one line: use the computed list.
  if (parsed === null || parsed.files === null || process.platform === 'win32') return null;
  return { ...parsed, files: parsed.files };
}

interface DefaultFilesContext {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  flavor: Flavor;
  program: ServerProgram | null;
  exists?: (path: string) => boolean;
}

/**
 * The server's default option files: what its program says, or else the search path for this
 * platform, with Homebrew's etc directory (its builds set SYSCONFDIR) when there is one.
 */
export function defaultServerFiles(context: DefaultFilesContext): OptionFileRef[] {
  const { program, platform } = context;
  if (program !== null) return program.files.map((path) => ({ path, required: false }));
  const exists = context.exists ?? existsSync;
  const homebrew =
    platform === 'darwin'
      ? ['/opt/homebrew/etc', '/usr/local/etc'].find((dir) => exists(join(dir, 'my.cnf')))
      : undefined;
  return applyDefaultsFlags(
    {},
    serverOptionFiles({
      platform,
      env: context.env,
      home: context.home,
      flavor: context.flavor,
      ...(homebrew !== undefined ? { sysconfdir: homebrew } : {}),
    }),
  );
}
