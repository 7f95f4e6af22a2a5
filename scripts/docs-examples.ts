/**
 * The docs' examples of real output, produced by real runs: starts a throwaway server, runs each
 * registered example with the built CLI, normalises what changes from run to run (ports, temporary
 * paths, connection ids, uptime, dates) and writes it between the example's markers:
 *
 *   <!-- example: check-timeout -->
 *   ```text
 *   (generated)
 *   ```
 *   <!-- /example -->
 *
 * `npm run docs:examples` rewrites the pages; test/docs/examples.test.ts runs the same examples
 * and fails when a page's block differs from what the command prints now.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startTestServer, type TestServer } from '../test/helpers/server.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/dbcache.js');

/** Where the normalised output says things are: a Debian machine's usual places. */
export const STANDARD = {
  configDir: '/etc/mysql',
  socket: '/run/mysqld/mysqld.sock',
  serverDir: '/var/lib/mysql',
  port: '3306',
  unreachablePort: '3307',
  connectionId: '42',
  backupStamp: '20260101T090000Z',
  uptime: 20,
};

/** The option file the example server starts with: the default wait_timeout, as shipped. */
const SERVER_OPTION_FILE = '[mysqld]\nmax_connections = 151\n';

export interface ExampleWorld {
  server: TestServer;
  /** Stands for /etc/mysql: the server's option file and the files examples edit live here. */
  configDir: string;
  /** A TCP port on 127.0.0.1 that nothing listens on. */
  unreachablePort: number;
  /** The server's version as it reports it, e.g. 10.11.19. */
  version: string;
}

interface Shown {
  stdout?: boolean;
  stderr?: boolean;
  exitCode?: boolean;
}

export interface Example {
  name: string;
  /** What the reader would type, shown after `$ ` (normalised like the output). */
  display: string;
  /** The arguments actually run: the display's, pointed at the throwaway server. */
  args(world: ExampleWorld): string[];
  /** Files to write before the run (path relative to configDir, content). */
  files?: Record<string, string | Buffer>;
  /** Lines shown before the command, such as a `cat` of a file. */
  preface?(world: ExampleWorld): Promise<string>;
  show?: Shown;
  /** Starts what runs while the command does (an application's pool); returns how to stop it. */
  during?(world: ExampleWorld): Promise<() => Promise<void>>;
  /** What only this example's output needs made stable. */
  normalise?(text: string): string;
}

/** The connection flags for the throwaway server, as if it were the machine's own server on its socket. */
const local = (world: ExampleWorld) => ['--no-defaults', '-S', world.server.socket ?? '', '-u', 'root'];

/** patch-config on a file of the example's config directory, offline, for this MariaDB, to 600 s. */
const offlinePatch = (world: ExampleWorld, file: string, ...rest: string[]) => [
  'patch-config',
  '--file',
  join(world.configDir, file),
  '--offline',
  '--flavor',
  'mariadb',
  '--server-version',
  world.version,
  '--wait-timeout',
  '600',
  ...rest,
];

const fleetFile = (world: ExampleWorld) =>
  [
    '# the fleet: one server a line (mysql:// URL, host[:port] or socket path)',
    `mysql://root@127.0.0.1:${world.server.port}`,
    world.server.socket ?? '',
    `127.0.0.1:${world.unreachablePort}   # not running`,
    '',
  ].join('\n');

/**
 * The registered examples, run in this order against one server (an example may change it:
 * set-timeout does, so it comes after what shows the server as started).
 */
export const EXAMPLES: Example[] = [
  {
    name: 'check-timeout',
    display: 'dbcache check-timeout',
    args: (world) => ['check-timeout', ...local(world)],
    normalise: steadyCounters,
  },
  {
    name: 'generate-mysql2',
    display: 'dbcache generate mysql2 --timeout 600',
    args: (world) => ['generate', 'mysql2', '--timeout', '600', ...local(world)],
  },
  {
    name: 'generate-mysql2-measured',
    display: 'dbcache generate mysql2 -h 127.0.0.1 -u root',
    args: (world) => [
      'generate',
      'mysql2',
      '--no-defaults',
      '-h',
      '127.0.0.1',
      '-P',
      String(world.server.port),
      '-u',
      'root',
    ],
    show: { stdout: true, stderr: true },
  },
  {
    name: 'patch-config-dry-run',
    display:
      'dbcache patch-config --file /etc/mysql/mariadb.conf.d/50-server.cnf --offline --wait-timeout 600 --dry-run',
    files: {
      'mariadb.conf.d/50-server.cnf':
        '[server]\n\n[mysqld]\nuser                    = mysql\nbind-address            = 127.0.0.1\n\n# Timeouts\nwait_timeout = 28800\n',
    },
    args: (world) => offlinePatch(world, 'mariadb.conf.d/50-server.cnf', '--dry-run'),
  },
  {
    name: 'patch-config-json-changed',
    display:
      'dbcache patch-config --file /etc/mysql/mariadb.conf.d/50-server.cnf --offline --wait-timeout 600 --yes --json',
    files: {
      'mariadb.conf.d/50-server.cnf': '[mysqld]\nuser = mysql\nmax_connections = 200\n',
    },
    args: (world) => offlinePatch(world, 'mariadb.conf.d/50-server.cnf', '--yes', '--json'),
    show: { stdout: true, exitCode: true },
  },
  {
    name: 'patch-config-json-unchanged',
    display:
      'dbcache patch-config --file /etc/mysql/mariadb.conf.d/50-server.cnf --offline --wait-timeout 600 --yes --json',
    args: (world) => offlinePatch(world, 'mariadb.conf.d/50-server.cnf', '--yes', '--json'),
    show: { stdout: true, exitCode: true },
  },
  {
    name: 'patch-config-json-refused',
    display:
      'dbcache patch-config --file /etc/mysql/conf.d/broken.cnf --offline --wait-timeout 600 --yes --json',
    files: { 'conf.d/broken.cnf': 'wait_timeout = 28800\n[mysqld]\n' },
    args: (world) => [
      'patch-config',
      '--file',
      join(world.configDir, 'conf.d/broken.cnf'),
      '--offline',
      '--flavor',
      'mariadb',
      '--wait-timeout',
      '600',
      '--yes',
      '--json',
    ],
    show: { stdout: true, stderr: true, exitCode: true },
  },
  {
    name: 'watch-connections',
    display: 'dbcache watch-connections --interval 1s --count 4',
    args: (world) => ['watch-connections', '--interval', '1s', '--count', '4', ...local(world)],
    during: pooledApplication,
    normalise: (text) => {
      let second = 0;
      return text
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, () => `2026-01-01T09:00:0${second++}.000Z`)
        .replace(
          /(\d+) ticks over \d+ s/,
          (_, ticks: string) => `${ticks} ticks over ${Number(ticks) - 1} s`,
        );
    },
  },
  {
    // From here on the server changes: the examples above read it as started.
    name: 'set-timeout',
    display: 'dbcache set-timeout 600',
    args: (world) => ['set-timeout', '600', ...local(world)],
  },
  {
    name: 'set-timeout-dry-run',
    display: 'dbcache set-timeout 5m --interactive --dry-run',
    args: (world) => ['set-timeout', '5m', '--interactive', '--dry-run', ...local(world)],
  },
  {
    name: 'patch-config',
    display: 'dbcache patch-config --wait-timeout 600 --yes',
    args: (world) => ['patch-config', '--wait-timeout', '600', '--yes', ...local(world)],
  },
  {
    name: 'check-timeout-expect',
    display: 'dbcache check-timeout --expect 600',
    args: (world) => ['check-timeout', '--expect', '600', ...local(world)],
    normalise: steadyCounters,
    show: { stdout: true, exitCode: true },
  },
  {
    name: 'check-timeout-fleet',
    display: 'dbcache check-timeout --targets fleet.txt --expect 600 -u root',
    preface: async (world) => `$ cat fleet.txt\n${fleetFile(world)}`,
    args: (world) => [
      'check-timeout',
      '--targets',
      join(world.configDir, 'fleet.txt'),
      '--expect',
      '600',
      ...local(world),
    ],
    show: { stdout: true, stderr: true, exitCode: true },
  },
  {
    name: 'check-timeout-openmetrics',
    display: 'dbcache check-timeout --targets fleet.txt --expect 600 -u root --format openmetrics',
    args: (world) => [
      'check-timeout',
      '--targets',
      join(world.configDir, 'fleet.txt'),
      '--expect',
      '600',
      '--format',
      'openmetrics',
      ...local(world),
    ],
    show: { stdout: true, stderr: true, exitCode: true },
  },
];

/** An application with a pool of two connections, each running a query every 200 ms. */
async function pooledApplication(world: ExampleWorld): Promise<() => Promise<void>> {
  const { createPool } = await import('mysql2/promise');
  const pool = createPool({ socketPath: world.server.socket, user: 'root', connectionLimit: 2 });
  const busy = () => Promise.all([pool.query('SELECT 1'), pool.query('SELECT 1')]);
  await busy();
  const timer = setInterval(() => void busy().catch(() => undefined), 200);
  return async () => {
    clearInterval(timer);
    await pool.end();
  };
}

/**
 * check-timeout's counters of a server just started: the uptime (and so the rate) depends on how
 * fast the machine is, so both are shown as after 20 s.
 */
function steadyCounters(text: string): string {
  const connections = /│ Connections\s+│ (\d+)\s+│/.exec(text)?.[1];
  let out = text.replace(
    /│ Uptime(\s+)│ \d+\s+│ [^│]*│/,
    `│ Uptime │ ${STANDARD.uptime} │ ${STANDARD.uptime} s │`,
  );
  if (connections !== undefined) {
    const rate = Number((Number(connections) / STANDARD.uptime).toFixed(3));
    out = out.replace(/(?:[\d.]+|-) per second since start/, `${rate} per second since start`);
  }
  return out;
}

/** What differs between two runs on two machines, replaced by the standard places and numbers. */
export function normalise(text: string, world: ExampleWorld): string {
  const serverDir = world.server.socket ? dirname(world.server.socket) : undefined;
  let out = text.split(world.configDir).join(STANDARD.configDir);
  if (world.server.socket) out = out.split(world.server.socket).join(STANDARD.socket);
  if (serverDir) out = out.split(serverDir).join(STANDARD.serverDir);
  out = out
    .replace(new RegExp(`\\b${world.server.port}\\b`, 'g'), STANDARD.port)
    .replace(new RegExp(`\\b${world.unreachablePort}\\b`, 'g'), STANDARD.unreachablePort)
    .replace(/\(connection \d+\)/g, `(connection ${STANDARD.connectionId})`)
    .replace(/"connection_id": \d+/g, `"connection_id": ${STANDARD.connectionId}`)
    .replace(/dbcache-\d{8}T\d{6}Z/g, `dbcache-${STANDARD.backupStamp}`);
  return out;
}

/**
 * Box tables (cli-table3's) laid out again after normalising changed the width of a cell. A row
 * with fewer cells than the widest one has its last cell spanning the remaining columns (as
 * check-timeout's fleet view draws a server it could not reach).
 */
export function realignTables(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let index = 0; index < lines.length; ) {
    if (!lines[index]?.startsWith('┌')) {
      out.push(lines[index] as string);
      index++;
      continue;
    }
    let end = index;
    while (end < lines.length && /^[┌│├└]/.test(lines[end] as string)) end++;
    out.push(...realignTable(lines.slice(index, end)));
    index = end;
  }
  return out.join('\n');
}

const textWidth = (cell: string) => [...cell].length;

function realignTable(table: string[]): string[] {
  const cells = table.map((line) =>
    line.startsWith('│')
      ? line
          .split('│')
          .slice(1, -1)
          .map((cell) => cell.trim())
      : null,
  );
  const columns = Math.max(...cells.map((row) => row?.length ?? 0));
  const widths = Array.from({ length: columns }, (_, column) =>
    Math.max(
      0,
      ...cells.map((row) => (row && row.length === columns ? textWidth(row[column] as string) : 0)),
    ),
  );
  // A spanning cell wider than the columns it covers widens the last of them.
  const spanWidth = (from: number) =>
    widths.slice(from).reduce((sum, width) => sum + width, 0) + 3 * (columns - from - 1);
  for (const row of cells) {
    if (!row || row.length === columns) continue;
    const excess = textWidth(row.at(-1) as string) - spanWidth(row.length - 1);
    if (excess > 0) widths[columns - 1] = (widths[columns - 1] as number) + excess;
  }
  /** The column boundaries a row draws a │ at. */
  const boundaries = (row: string[] | null | undefined) =>
    new Set(row ? Array.from({ length: row.length - 1 }, (_, index) => index) : []);
  const rule = (index: number) => {
    const above = index > 0 ? boundaries(cells[index - 1]) : null;
    const below = index < table.length - 1 ? boundaries(cells[index + 1]) : null;
    const [left, right] = above === null ? ['┌', '┐'] : below === null ? ['└', '┘'] : ['├', '┤'];
    let line = left;
    widths.forEach((width, column) => {
      line += '─'.repeat(width + 2);
      if (column === columns - 1) return;
      const up = above?.has(column) ?? false;
      const down = below?.has(column) ?? false;
      line += up && down ? '┼' : up ? '┴' : down ? '┬' : '─';
    });
    return line + right;
  };
  return table.map((_, index) => {
    const row = cells[index];
    if (!row) return rule(index);
    return `│${row
      .map((cell, column) => {
        const width = column === row.length - 1 ? spanWidth(column) : (widths[column] as number);
        return ` ${cell}${' '.repeat(width - textWidth(cell))} `;
      })
      .join('│')}│`;
  });
}

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      {
        // XDG_CACHE_HOME: under npm test, the run's own cache directory (test/run.ts).
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
          NO_COLOR: '1',
          COLUMNS: '100000',
          TZ: 'UTC',
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** A throwaway server reading an option file in a directory that stands for /etc/mysql. */
export async function startExampleWorld(): Promise<{ world: ExampleWorld; stop(): Promise<void> }> {
  const configDir = await mkdtemp(join(tmpdir(), 'dbcache-docs-'));
  await writeFile(join(configDir, 'my.cnf'), SERVER_OPTION_FILE);
  try {
    const server = await startTestServer({ defaultsFile: join(configDir, 'my.cnf') });
    const version = await serverVersion(server);
    const world: ExampleWorld = { server, configDir, unreachablePort: await freePort(), version };
    await writeFile(join(configDir, 'fleet.txt'), fleetFile(world));
    return {
      world,
      async stop() {
        await server.stop();
        await rm(configDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(configDir, { recursive: true, force: true });
    throw err;
  }
}

async function serverVersion(server: TestServer): Promise<string> {
  const { createConnection } = await import('mysql2/promise');
  const connection = await createConnection({ socketPath: server.socket, user: 'root' });
  try {
    const [rows] = await connection.query('SELECT VERSION() AS version');
    return String((rows as Array<{ version: string }>)[0]?.version).replace(/-.*/, '');
  } finally {
    await connection.end();
  }
}

/** Runs one example and returns its block's text (without the markers). */
export async function renderExample(example: Example, world: ExampleWorld): Promise<string> {
  for (const [path, content] of Object.entries(example.files ?? {})) {
    const file = join(world.configDir, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  const shown = example.show ?? { stdout: true };
  const stopBackground = await example.during?.(world);
  let result: Awaited<ReturnType<typeof runCli>>;
  try {
    result = await runCli(example.args(world));
  } finally {
    await stopBackground?.();
  }
  const parts = [
    ...(example.preface ? [(await example.preface(world)).replace(/\n$/, '')] : []),
    `$ ${example.display}`,
  ];
  if (shown.stdout && result.stdout) parts.push(result.stdout.replace(/\n$/, ''));
  if (shown.stderr && result.stderr) parts.push(result.stderr.replace(/\n$/, ''));
  else if (result.stderr && !shown.stderr) {
    throw new Error(`Example ${example.name} wrote to stderr:\n${result.stderr}`);
  }
  if (shown.exitCode) parts.push(`$ echo $?\n${result.code}`);
  else if (result.code !== 0)
    throw new Error(`Example ${example.name} exited ${result.code}:\n${result.stderr}`);
  let text = normalise(parts.join('\n'), world);
  if (example.normalise) text = example.normalise(text);
  return `\`\`\`text\n${realignTables(text)}\n\`\`\``;
}

export async function renderAll(world: ExampleWorld): Promise<Map<string, string>> {
  const rendered = new Map<string, string>();
  for (const example of EXAMPLES) rendered.set(example.name, await renderExample(example, world));
  return rendered;
}

export interface Block {
  name: string;
  /** The text between the markers, without the newlines next to them. */
  body: string;
  start: number;
  end: number;
}

const BLOCK = /<!-- example: ([\w-]+) -->\n([\s\S]*?)\n?<!-- \/example -->/g;

export function findBlocks(markdown: string): Block[] {
  return [...markdown.matchAll(BLOCK)].map((match) => ({
    name: match[1] as string,
    body: (match[2] as string).replace(/\n$/, ''),
    start: match.index,
    end: match.index + match[0].length,
  }));
}

export function replaceBlocks(markdown: string, rendered: Map<string, string>): string {
  return markdown.replace(BLOCK, (whole, name: string) => {
    const text = rendered.get(name);
    return text === undefined ? whole : `<!-- example: ${name} -->\n${text}\n<!-- /example -->`;
  });
}

/** The pages that may hold examples: README.md and docs/*.md. */
export async function docPages(): Promise<string[]> {
  const docs = join(ROOT, 'docs');
  const pages = existsSync(docs)
    ? (await readdir(docs)).filter((name) => name.endsWith('.md')).map((name) => join(docs, name))
    : [];
  return [join(ROOT, 'README.md'), ...pages.sort()];
}

async function main(): Promise<void> {
  const { world, stop } = await startExampleWorld();
  try {
    const rendered = await renderAll(world);
    for (const page of await docPages()) {
      const before = await readFile(page, 'utf8');
      for (const block of findBlocks(before)) {
        if (!rendered.has(block.name))
          throw new Error(`${page}: no example is registered as "${block.name}".`);
      }
      const after = replaceBlocks(before, rendered);
      if (after !== before) {
        await writeFile(page, after);
        console.log(`rewrote ${page.slice(ROOT.length)}`);
      }
    }
  } finally {
    await stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
