/**
 * The server's own readers as oracles: `my_print_defaults` (what the server gets from the
 * files) and `mariadbd --verbose --help` (the value after validation). Both run with the case
 * directory as the current directory, since relative `!include` paths resolve against it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export const CORPUS = join(import.meta.dirname, 'corpus');

/** Git and umask decide modes on checkout; the server skips world-writable files. */
export function copyCase(name: string, into = mkdtempSync(join(tmpdir(), 'dbcache-patch-'))): string {
  const dir = join(into, name);
  cpSync(join(CORPUS, name), dir, { recursive: true });
  const fix = (path: string) => {
    chmodSync(path, 0o755);
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) fix(child);
      else chmodSync(child, 0o644);
    }
  };
  fix(dir);
  return dir;
}

export type OracleFlavor = 'mariadb' | 'mysql';

/** `--name=value` lines as the server would get them; throws if my_print_defaults refuses the file. */
export function printDefaults(dir: string, root: string, flavor: OracleFlavor): string[] {
  const groups = flavor === 'mariadb' ? ['--mysqld'] : ['mysqld', 'server', 'mysqld-8.0'];
  const run = spawnSync('my_print_defaults', [`--defaults-file=./${root}`, ...groups], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: join(dir, 'no-home') },
  });
  if (run.error)
    throw new Error(
      `my_print_defaults could not be run (install MariaDB's client tools): ${run.error.message}`,
    );
  if (run.status !== 0) throw new Error(`my_print_defaults refused ${root}: ${run.stderr.toString()}`);
  return run.stdout.toString('latin1').split('\n').filter(Boolean);
}

/** my_print_defaults' exit status for the file (2: the server would not start). */
export function printDefaultsStatus(dir: string, root: string): number {
  return spawnSync('my_print_defaults', [`--defaults-file=./${root}`, '--mysqld'], { cwd: dir }).status ?? -1;
}

const SETTING_LINE = /^--(?:loose[-_])?(wait|interactive)[-_]timeout=(.*)$/i;

/** The options other than wait_timeout/interactive_timeout, in order. */
export function otherOptions(lines: readonly string[]): string[] {
  return lines.filter((line) => !SETTING_LINE.test(line));
}

/** The value the last occurrence gives, as printed. */
export function printedValue(lines: readonly string[], setting: 'wait' | 'interactive'): string | undefined {
  return lines
    .map((line) => SETTING_LINE.exec(line))
    .filter((match) => match !== null && match[1]?.toLowerCase() === setting)
    .at(-1)?.[2];
}

/** The wait_timeout mariadbd would run with, after its own validation. */
export function mariadbdWaitTimeout(dir: string, root: string): string {
  const run = spawnSync('mariadbd', [`--defaults-file=./${root}`, '--verbose', '--help'], {
    cwd: dir,
    env: { PATH: `${process.env.PATH}:/usr/sbin`, HOME: join(dir, 'no-home') },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.error) throw new Error(`mariadbd could not be run: ${run.error.message}`);
  const line = run.stdout
    .toString()
    .split('\n')
    .find((candidate) => candidate.split(/\s+/)[0] === 'wait-timeout');
  if (line === undefined) throw new Error(`mariadbd printed no wait-timeout: ${run.stderr.toString()}`);
  return line.split(/\s+/)[1] as string;
}

/** Every file under `dir`, relative path → bytes. */
export function snapshot(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (statSync(child).isFile()) files.set(relative(dir, child), readFileSync(child));
    }
  };
  walk(dir);
  return files;
}
