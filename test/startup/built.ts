/**
 * Runs the built CLI from a copy of the package (bin/, dist/, package.json) in a directory whose
 * path has spaces, with a home and cache directory of the test's own, and reads what the
 * loader traced (DBCACHE_STARTUP_TRACE): which groups were compiled with a code cache.
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Trace } from '../../src/startup/trace.ts';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BuiltCopy {
  /** The scratch directory (0755: a process of another user may enter it). */
  dir: string;
  /** The copy's bin/dbcache.js; its path has spaces. */
  bin: string;
  remove(): void;
}

export function copyOfBuild(): BuiltCopy {
  const dir = mkdtempSync(join(tmpdir(), 'dbcache startup '));
  chmodSync(dir, 0o755);
  const root = join(dir, 'a path with spaces', 'dbcache');
  mkdirSync(root, { recursive: true });
  for (const entry of ['bin', 'dist', 'package.json']) {
    cpSync(join(PACKAGE_ROOT, entry), join(root, entry), { recursive: true });
  }
  return {
    dir,
    bin: join(root, 'bin', 'dbcache.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface BuiltRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Per group file (core.cjs, open.cjs, ...): 'cached', 'cache rejected' or 'no cache'. */
  loads: Record<string, string>;
}

export function runBuilt(
  bin: string,
  args: string[],
  env: Record<string, string | undefined>,
  options: { uid?: number; gid?: number; traceDir: string },
): Promise<BuiltRun> {
  const traceFile = join(options.traceDir, `trace-${Date.now()}-${Math.random()}.json`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        env: { PATH: process.env.PATH, ...env, DBCACHE_STARTUP_TRACE: traceFile },
        timeout: 60_000,
        ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        let loads: Record<string, string> = {};
        try {
          const trace = JSON.parse(readFileSync(traceFile, 'utf8')) as Trace;
          loads = Object.fromEntries(
            trace.phases
              .filter((phase) => phase.name.startsWith('load '))
              .map((phase) => [phase.name.slice('load '.length), phase.note ?? '']),
          );
          rmSync(traceFile, { force: true });
        } catch {
          // No trace: `loads` stays empty and the test says so.
        }
        resolve({ code, stdout, stderr, loads });
      },
    );
  });
}
