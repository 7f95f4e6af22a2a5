import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Connection, createConnection } from 'mysql2/promise';
import { COMMAND_LINE, resolveConnection } from '../../src/connection/resolve.ts';
import { type ConnectionFlags, flagsLayer } from '../../src/connection/sources.ts';
import { type ServerTarget, targetFor } from '../../src/connection/target.ts';
import type { IO } from '../../src/io.ts';
import { UNWRAPPED } from './io.ts';
import type { TestServer } from './server.ts';

/** A ServerTarget for the test server over TCP, as if given with --host/--port/--user/--password. */
export function tcpTarget(server: TestServer, io: IO, flags: ConnectionFlags = {}): ServerTarget {
  const resolved = resolveConnection(
    [
      flagsLayer(
        {
          host: server.host,
          port: String(server.port),
          user: server.user,
          password: server.password,
          sslMode: 'DISABLED',
          ...flags,
        },
        COMMAND_LINE,
      ),
    ],
    { loginUser: 'nobody', socketExists: () => false, platform: process.platform },
  );
  return targetFor(resolved, io);
}

/** A plain root connection to the test server, for setting up and inspecting state. */
export function adminConnection(server: TestServer): Promise<Connection> {
  return createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
  });
}

/** The connection flags that point the real CLI at the test server (as `user`) and nothing else. */
export function cliFlags(server: TestServer, user = server.user): string[] {
  return [
    '--no-defaults',
    '-h',
    server.host,
    '-P',
    String(server.port),
    '-u',
    user,
    '--ssl-mode',
    'DISABLED',
  ];
}

const BIN = fileURLToPath(new URL('../../bin/dbcache.js', import.meta.url));

/**
 * What a test passes on to the built CLI it runs, and nothing else of its own environment: PATH,
 * the home, and the run's cache directory (test/run.ts), so that the CLI's code and help caches
 * go there and not into the developer's ~/.cache.
 */
export function cliEnv(): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built CLI while it runs: its output so far, and its exit code once it has ended. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  output: { stdout: string; stderr: string };
  /** The exit code, after all output is read; null when a signal ended it. */
  exited: Promise<number | null>;
}

/** Starts the built CLI for a test that signals it or watches it run (runCli waits for the end). */
export function startCli(args: string[], env: Record<string, string | undefined> = cliEnv()): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { env });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output, exited };
}

/** Runs the built CLI as a user would (npm test builds it first); `input` is piped to its stdin. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  input?: string,
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { ...cliEnv(), ...UNWRAPPED, ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        // A CLI killed by the timeout or a signal has no exit code: -1 matches no documented
        // code, so a hang can never pass for "exit 1, check failed".
        const code = error ? (typeof error.code === 'number' && !error.killed ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}
