/**
 * A throwaway MariaDB (or MySQL) server for the tests: a new data directory in /tmp, a free TCP
 * port on 127.0.0.1, a private socket, `--no-defaults` so nothing on the machine leaks in, and
 * removal afterwards. When it fails to start, the error is the server's own log.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';

const run = promisify(execFile);

export interface TestServer {
  host: string;
  port: number;
  /** The private socket; undefined for a server given by MYSQL_TEST_URL without one. */
  socket: string | undefined;
  user: string;
  password: string;
  /** mysql://root@127.0.0.1:PORT — what --url takes. */
  url: string;
  /** Undefined for an existing server (MYSQL_TEST_URL): such a server is never stopped. */
  dataDir: string | undefined;
  errorLog: string | undefined;
  stop(): Promise<void>;
  /** Stops and starts the same server (same port, socket and data); own servers only. */
  restart(): Promise<void>;
}

const SEARCH = [
  '/usr/sbin',
  '/usr/bin',
  '/usr/local/bin',
  '/usr/local/sbin',
  '/usr/local/mysql/bin',
  '/opt/homebrew/bin',
];

function findProgram(names: string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH];
  for (const name of names) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
  }
  return undefined;
}

export function serverBinary(): string {
  const found = findProgram(['mariadbd', 'mysqld']);
  if (!found) {
    throw new Error(
      'No mariadbd or mysqld on this machine: install the mariadb-server package (what .ci/run does), or point the tests at a server with MYSQL_TEST_URL.',
    );
  }
  return found;
}

/** A TCP port on 127.0.0.1 that nothing listens on now: for test servers, proxies and exporters. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface StartOptions {
  /** Extra mariadbd arguments, e.g. ['--max-connections=2500']. */
  args?: string[];
  /**
   * Read this option file (`--defaults-file`, and what it includes) instead of none
   * (`--no-defaults`); read again at every restart. The helper's own flags still win.
   */
  defaultsFile?: string;
  /** A command that runs the server, e.g. ['ip', 'netns', 'exec', NAME] for a network namespace. */
  launcher?: string[];
}

export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const binary = serverBinary();
  const dir = await mkdtemp(join(tmpdir(), 'dbcache-test-'));
  const dataDir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const errorLog = join(dir, 'error.log');
  const asRoot = userInfo().uid === 0;
  const userArgs = asRoot ? ['--user=root'] : [];
  await initialize(binary, dataDir, userArgs, dir);
  const port = await freePort();
  const args = [
    options.defaultsFile === undefined ? '--no-defaults' : `--defaults-file=${options.defaultsFile}`,
    `--datadir=${dataDir}`,
    `--socket=${socket}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    `--log-error=${errorLog}`,
    // Its own temporary directory: another program cleaning /tmp must not delete the server's temp tables.
    `--tmpdir=${dir}`,
    '--innodb-buffer-pool-size=32M',
    '--skip-log-bin',
    ...userArgs,
    ...(options.args ?? []),
  ];
  const launcher = options.launcher ?? [];
  let child = await launch(binary, args, socket, errorLog, launcher);
  const server: TestServer = {
    host: '127.0.0.1',
    port,
    socket,
    user: 'root',
    password: '',
    url: `mysql://root@127.0.0.1:${port}`,
    dataDir,
    errorLog,
    async stop() {
      await halt(child);
      await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt(child);
      child = await launch(binary, args, socket, errorLog, launcher);
    },
  };
  return server;
}

async function initialize(binary: string, dataDir: string, userArgs: string[], dir: string): Promise<void> {
  const installDb = findProgram(['mariadb-install-db', 'mysql_install_db']);
  try {
    if (installDb && binary.includes('mariadbd')) {
      await run(installDb, [
        '--no-defaults',
        `--datadir=${dataDir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...userArgs,
      ]);
    } else {
      await run(binary, ['--no-defaults', '--initialize-insecure', `--datadir=${dataDir}`, ...userArgs]);
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    const { stderr, stdout } = err as { stderr?: string; stdout?: string };
    throw new Error(
      `Could not initialize a test data directory:\n${stderr || stdout || (err as Error).message}`,
    );
  }
}

async function launch(
  binary: string,
  args: string[],
  socket: string,
  errorLog: string,
  launcher: string[],
): Promise<ChildProcess> {
  const [program, ...before] = [...launcher, binary];
  const child = spawn(program as string, [...before, ...args], { stdio: 'ignore' });
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) break;
    try {
      const probe = await createConnection({ socketPath: socket, user: 'root' });
      await probe.end();
      return child;
    } catch {
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill('SIGKILL');
  const log = await readFile(errorLog, 'utf8').catch(() => '(no error log was written)');
  throw new Error(`The test server ${exited ?? 'did not become ready within 60 s'}. Its error log:\n${log}`);
}

function halt(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The environment variable through which test/run.ts hands its server to the test files. */
export const SHARED_SERVER_ENV = 'DBCACHE_TEST_SERVER';

/** A server given by the user: never stopped, never restarted. */
export function externalServer(urlText: string): TestServer {
  const url = new URL(urlText);
  const socket = url.searchParams.get('socket') ?? undefined;
  return {
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || 3306),
    socket,
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    url: urlText,
    dataDir: undefined,
    errorLog: undefined,
    stop: async () => undefined,
    restart: async () => {
      throw new Error('An existing server (MYSQL_TEST_URL) is never restarted by the tests.');
    },
  };
}

let shared: Promise<TestServer> | undefined;

/**
 * The suite's one server: MYSQL_TEST_URL, or the server test/run.ts started for the whole run,
 * or (a test file run on its own) one started now and stopped when the process ends.
 */
export function sharedServer(): Promise<TestServer> {
  shared ??= (async () => {
    if (process.env.MYSQL_TEST_URL) return externalServer(process.env.MYSQL_TEST_URL);
    const handed = process.env[SHARED_SERVER_ENV];
    if (handed) {
      const description = JSON.parse(handed) as Omit<TestServer, 'stop' | 'restart'>;
      return { ...externalServer(description.url), ...description };
    }
    const own = await startTestServer();
    const { after } = await import('node:test');
    after(() => own.stop());
    return own;
  })();
  return shared;
}
