import { spawnSync } from 'node:child_process';
import { Chalk } from 'chalk';
import { type Connection, createConnection } from 'mysql2/promise';
import { diffSnapshots } from '../src/watch/diff.ts';
import { tickLine } from '../src/watch/lines.ts';
import { processlistStatement } from '../src/watch/query.ts';
import type { Filters } from '../src/watch/report.ts';
import { renderFrame } from '../src/watch/screen.ts';
import { openSession } from '../src/watch/session.ts';
import type { Snapshot } from '../src/watch/snapshot.ts';
import { WatchStats } from '../src/watch/stats.ts';
import { memoryIO } from '../test/helpers/io.ts';
import type { TestServer } from '../test/helpers/server.ts';
import { tcpTarget } from '../test/helpers/target.ts';
import { median, timeCommands } from './measure.ts';
import type { Bench } from './run.ts';

const LEVELS = [100, 1000, 2000];
const TICKS = 30;
const ROUNDS = 10;
const BATCH = 100;
/** Connections of this user: the filtered watch sees 100 of them at every level. */
const APP_USER = 'wbench_app';

/**
 * Issue 6: the cost of one tick (query + diff + render) with 100, 1,000 and 2,000 connections
 * open on the server, beside `mariadb-admin processlist` asking the server for the same list.
 * The benchmark opens the connections itself. Figures only; nothing is asserted.
 */
const bench: Bench = {
  title: 'watch-connections tick cost',
  async run(server: TestServer) {
    const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()) || 1024;
    const levels = LEVELS.filter((level) => level + 100 < fdLimit);
    if (levels.length < LEVELS.length) {
      console.log(
        `ulimit -n is ${fdLimit}: skipping ${LEVELS.filter((l) => !levels.includes(l)).join(', ')} connections (raise it with ulimit -n 4096).`,
      );
    }
    const admin = await createConnection({
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
    });
    const [[maxRow]] = (await admin.query('SELECT @@GLOBAL.max_connections AS max')) as unknown as [
      [{ max: number }],
    ];
    console.log(
      `server max_connections ${maxRow.max}, ulimit -n ${fdLimit}, ${TICKS} ticks per level (medians), ${ROUNDS} rounds of the C clients`,
    );
    await admin.query(`CREATE USER IF NOT EXISTS '${APP_USER}'@'%'`);

    const held: Connection[] = [];
    const client = findProgram(['mariadb', 'mysql']);
    const adminTool = findProgram(['mariadb-admin', 'mysqladmin']);
    const flags = ['--no-defaults', '-h', server.host, '-P', String(server.port), '-u', server.user];
    const all: Filters = { user: [], db: [], host: [] };
    const app: Filters = { user: [APP_USER], db: [], host: [] };
    const rows: string[][] = [];
    try {
      for (const level of levels) {
        while (held.length < level) {
          const batch = Math.min(BATCH, level - held.length);
          const user = held.length < 100 ? APP_USER : server.user;
          held.push(
            ...(await Promise.all(
              Array.from({ length: batch }, () =>
                createConnection({
                  host: server.host,
                  port: server.port,
                  user,
                  password: user === APP_USER ? '' : server.password,
                }),
              ),
            )),
          );
        }
        for (const connection of held) connection.on('error', () => undefined);

        for (const [label, filters] of [
          ['all', all],
          [`--filter-user ${APP_USER}`, app],
        ] as const) {
          const figures = await measureTicks(server, filters);
          rows.push([String(level), label, String(figures.rows), ...figures.ms.map((ms) => ms.toFixed(2))]);
        }
        const contenders = [
          ...(adminTool
            ? [{ name: 'mariadb-admin processlist', command: adminTool, args: [...flags, 'processlist'] }]
            : []),
          ...(client
            ? [
                {
                  name: 'mariadb -e (same SQL)',
                  command: client,
                  args: [...flags, '-N', '-e', inlineSql(all)],
                },
              ]
            : []),
        ];
        for (const [name, ms] of timeCommands(contenders, ROUNDS))
          rows.push([String(level), name, '', '', '', '', '', '', ms.toFixed(2)]);
      }
    } finally {
      await Promise.all(held.map((connection) => connection.end().catch(() => connection.destroy())));
      await admin.query(`DROP USER IF EXISTS '${APP_USER}'@'%'`);
      await admin.end();
    }

    const head = [
      'conns',
      'watch',
      'rows',
      'query ms',
      'diff+stats ms',
      'screen ms',
      'line ms',
      'json ms',
      'tick total ms',
    ];
    const widths = head.map((title, index) =>
      Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)),
    );
    const format = (row: string[]) =>
      row.map((cell, index) => cell.padStart(widths[index] as number)).join('  ');
    console.log(format(head));
    for (const row of rows) console.log(format(row));
    console.log(
      'query = the processlist query and SHOW GLOBAL STATUS; tick total = query + diff+stats + screen (the terminal view); ' +
        'line and json are what the plain and --json views cost instead of the screen. ' +
        'The C client rows are whole process runs (start-up, connect, query, print) for comparison, not a tick.',
    );
  },
};

/** Median milliseconds of each part of a tick, measured on a real session as the loop runs it. */
async function measureTicks(server: TestServer, filters: Filters) {
  const { io } = memoryIO();
  const session = await openSession(tcpTarget(server, io), {
    filters,
    now: () => Date.now(),
  });
  const stats = new WatchStats({ source: session.source, filters, seesEveryClient: false });
  const color = new Chalk({ level: 1 });
  const header = {
    server: 'bench',
    address: 'bench',
    user: 'bench',
    source: session.source,
    filters,
    intervalMs: 2000,
    watcherId: session.watcherId,
    notes: [],
  };
  const parts: number[][] = [[], [], [], [], [], []];
  let previous: Snapshot | null = null;
  let rowCount = 0;
  const signal = new AbortController().signal;
  try {
    for (let tick = 0; tick <= TICKS; tick++) {
      const t0 = performance.now();
      const snapshot = await session.sample(signal);
      const t1 = performance.now();
      const report = stats.record({
        snapshot,
        diff: diffSnapshots(previous, snapshot),
        source: session.source,
        watcherId: session.watcherId,
        gap: null,
        ownConnects: 0,
      });
      const t2 = performance.now();
      renderFrame({ header, tick: report, notice: null }, { rows: 50, columns: 200 }, color).join('\n');
      const t3 = performance.now();
      tickLine(report, color);
      const t4 = performance.now();
      JSON.stringify(report);
      const t5 = performance.now();
      previous = snapshot;
      rowCount = snapshot.connections.length;
      // The first tick warms up the JIT and the server's caches.
      if (tick > 0) {
        parts[0]?.push(t1 - t0);
        parts[1]?.push(t2 - t1);
        parts[2]?.push(t3 - t2);
        parts[3]?.push(t4 - t3);
        parts[4]?.push(t5 - t4);
        parts[5]?.push(t3 - t0);
      }
    }
  } finally {
    await session.close();
  }
  return { rows: rowCount, ms: parts.map(median) };
}

function inlineSql(filters: Filters): string {
  const { sql, params } = processlistStatement('information_schema.PROCESSLIST', filters);
  let index = 0;
  return sql.replace(/\?/g, () => `'${params[index++]}'`);
}

function findProgram(names: string[]): string | undefined {
  return names.find((name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0);
}

export default bench;
