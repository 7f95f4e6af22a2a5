import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Connection, createConnection, type RowDataPacket } from 'mysql2/promise';
import { runWatchConnections } from '../../src/commands/watch-connections/index.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import type { SummaryReport, TickReport } from '../../src/watch/report.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, cliEnv, cliFlags, runCli, tcpTarget } from '../helpers/target.ts';
import { startWatch } from '../watch/live.ts';

const ESC = '\u001b';

let server: TestServer;
let admin: Connection;
const USERS = ['wc_pool', 'wc_req', 'wc_other'];

before(async () => {
  server = await sharedServer();
  admin = await adminConnection(server);
  for (const user of USERS) {
    // Both hosts, so that no anonymous ''@localhost account can shadow a socket login.
    await admin.query(`CREATE USER IF NOT EXISTS '${user}'@'%', '${user}'@'localhost'`);
    await admin.query(`GRANT SELECT ON wc_shop.* TO '${user}'@'%', '${user}'@'localhost'`);
  }
  await admin.query('CREATE DATABASE IF NOT EXISTS wc_shop');
});
after(async () => {
  for (const user of USERS) await admin.query(`DROP USER IF EXISTS '${user}'@'%', '${user}'@'localhost'`);
  await admin.query('DROP DATABASE IF EXISTS wc_shop');
  await admin.end();
});

/** A client of the test: one real connection, as an application would hold it. */
async function client(
  user: string,
  options: { database?: string; socket?: boolean } = {},
): Promise<Connection> {
  const where =
    options.socket && server.socket
      ? { socketPath: server.socket }
      : { host: server.host, port: server.port };
  const connection = await createConnection({
    ...where,
    user,
    ...(options.database ? { database: options.database } : {}),
  });
  connection.on('error', () => undefined);
  return connection;
}

async function hostOf(connection: Connection): Promise<string> {
  const [rows] = await admin.query<RowDataPacket[]>(
    'SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = ?',
    [connection.threadId],
  );
  return String(rows[0]?.HOST);
}

const clientName = async (connection: Connection | undefined) =>
  `${(connection as Connection).config.user}@${(await hostOf(connection as Connection)).replace(/:\d+$/, '')}`;

const ids = (connections: Connection[]) => connections.map((c) => c.threadId as number).sort((a, b) => a - b);

test('a pool of three held connections: the same three ids every tick, nothing new or gone, verdict stable', async () => {
  const pool = await Promise.all([client('wc_pool'), client('wc_pool'), client('wc_pool')]);
  try {
    const watch = startWatch(server, { count: 4, filters: { user: ['wc_pool'], db: [], host: [] } });
    const { code, summary } = await watch.done;
    assert.equal(code, ExitCode.ok);
    const ticks = watch.ticks();
    assert.equal(ticks.length, 4);
    for (const tick of ticks) {
      assert.deepEqual(tick.ids, ids(pool));
      assert.deepEqual(tick.new, []);
      assert.deepEqual(tick.gone, []);
      assert.ok(!tick.ids.includes(tick.watcher_connection_id));
    }
    assert.deepEqual(
      ticks.map((t) => t.tick),
      [1, 2, 3, 4],
    );
    assert.equal(ticks[3]?.verdict, 'stable');
    // One client: the user at the client host as the server names it (127.0.0.1 may show as localhost).
    assert.deepEqual(
      ticks[3]?.clients.map((c) => [c.client, c.verdict, c.connections]),
      [[await clientName(pool[0]), 'stable', 3]],
    );
    assert.equal(summary.verdict, 'stable');
    assert.equal(summary.unique_ids, 3);
    assert.equal(summary.stopped_by, 'count');
    assert.equal(summary.source, 'information_schema.PROCESSLIST');
    // Sleeping connections count down toward wait_timeout.
    const row = ticks[3]?.connections[0];
    assert.equal(row?.command, 'Sleep');
    assert.equal((row?.idle_seconds ?? -1) + (row?.idle_left_seconds ?? -1), ticks[3]?.wait_timeout);
  } finally {
    await Promise.all(pool.map((c) => c.end()));
  }
});

test('a client that connects per request shows new ids and verdict churning', async () => {
  const watch = startWatch(server, { filters: { user: ['wc_req'], db: [], host: [] } });
  await watch.waitForTick('a first tick', () => true);
  const requestIds: number[] = [];
  // Five requests, one after another, each with its own connection, held until a tick has seen
  // it: the test is about ids, not about how fast a loaded machine ticks.
  for (let request = 0; request < 5; request++) {
    const connection = await client('wc_req');
    const id = connection.threadId as number;
    requestIds.push(id);
    await connection.query('SELECT 1');
    await watch.waitForTick(`request ${id} listed`, (tick) => tick.ids.includes(id));
    await connection.end();
  }
  await watch.waitForTick('the last request gone', (tick) => tick.gone.includes(requestIds.at(-1) as number));
  watch.stop();
  const { code, summary } = await watch.done;
  assert.equal(code, ExitCode.ok);
  assert.equal(summary.stopped_by, 'signal');

  const ticks = watch.ticks();
  const seen = new Set(ticks.flatMap((t) => t.ids));
  const newIds = new Set(ticks.flatMap((t) => t.new));
  for (const id of seen) assert.ok(requestIds.includes(id), `id ${id} is not one of the requests`);
  assert.deepEqual(
    [...newIds].sort((a, b) => a - b),
    requestIds,
    'every request id is new when it first shows',
  );
  assert.equal(summary.verdict, 'churning');
  assert.equal(summary.recycled_total, 0, 'connections that lived a moment are not recycling');
  const wcReq = summary.clients.find((c) => c.user === 'wc_req');
  assert.equal(wcReq?.verdict, 'churning');
  assert.ok((wcReq?.new_per_second ?? 0) > 0);
  assert.ok(ticks.some((t) => t.verdict === 'churning'));
});

test('filters select exactly the matching connections, server-side, and never the watcher', async () => {
  const poolPlain = await client('wc_pool');
  const poolShop = await client('wc_pool', { database: 'wc_shop' });
  const otherShop = await client('wc_other', { database: 'wc_shop' });
  const otherSocket = await client('wc_other', { socket: true });
  try {
    const once = async (filters: { user?: string[]; db?: string[]; host?: string[] }) => {
      const watch = startWatch(server, { count: 1, filters: { user: [], db: [], host: [], ...filters } });
      await watch.done;
      return watch.ticks()[0] as TickReport;
    };
    assert.deepEqual((await once({ user: ['wc_pool'] })).ids, ids([poolPlain, poolShop]));
    assert.deepEqual((await once({ db: ['wc_shop'] })).ids, ids([poolShop, otherShop]));
    assert.deepEqual((await once({ user: ['wc_pool'], db: ['wc_shop'] })).ids, ids([poolShop]));
    assert.deepEqual(
      (await once({ user: ['wc_pool', 'wc_other'] })).ids,
      ids([poolPlain, poolShop, otherShop, otherSocket]),
    );
    assert.deepEqual(
      (await once({ user: ['wc\\_%', 'wc%'] })).ids,
      ids([poolPlain, poolShop, otherShop, otherSocket]),
    );
    // HOST is what the server shows: "name:port" over TCP, the bare name over a socket.
    const tcpHost = await hostOf(otherShop);
    assert.match(tcpHost, /:\d+$/);
    assert.deepEqual(
      (await once({ host: [tcpHost] })).ids,
      ids([otherShop]),
      'host with port: that one connection',
    );
    const tcpClientHost = tcpHost.replace(/:\d+$/, '');
    assert.deepEqual(
      (await once({ user: ['wc_pool'], host: [tcpClientHost] })).ids,
      ids([poolPlain, poolShop]),
      'host without port: every connection from it',
    );
    if (server.socket) {
      assert.equal(await hostOf(otherSocket), 'localhost');
      assert.deepEqual(
        (await once({ user: ['wc_other'], host: ['localhost'] })).ids.includes(
          otherSocket.threadId as number,
        ),
        true,
      );
    }
    assert.deepEqual((await once({ user: ['nobody_here'] })).ids, []);

    // The watcher logs in as root like the admin connection, but never lists itself.
    const root = await once({ user: ['root'] });
    assert.ok(root.ids.includes(admin.threadId as number));
    assert.ok(!root.ids.includes(root.watcher_connection_id));
    assert.ok(root.connections.every((c) => c.user === 'root'));
  } finally {
    await Promise.all([poolPlain, poolShop, otherShop, otherSocket].map((c) => c.end()));
  }
});

test("KILL of the watcher's own connection: it reconnects, marks the gap and keeps its counts", async () => {
  const pool = await Promise.all([client('wc_pool'), client('wc_pool')]);
  try {
    const watch = startWatch(server, { filters: { user: ['wc_pool'], db: [], host: [] } });
    const second = await watch.waitForTick('a second tick', (tick) => tick.tick === 2);
    await admin.query(`KILL ${second.watcher_connection_id}`);
    const afterGap = await watch.waitForTick('a tick after the gap', (tick) => tick.gap !== null);
    await watch.waitForTick('one more tick', (tick) => tick.tick === afterGap.tick + 1);
    watch.stop();
    const { code, summary } = await watch.done;
    assert.equal(code, ExitCode.ok);

    const disconnected = watch.lines.find((line) => line.type === 'disconnected');
    assert.ok(disconnected, 'the loss is reported as it happens');
    assert.ok(afterGap.gap && afterGap.gap.attempts >= 1 && !afterGap.gap.server_restarted);
    assert.notEqual(afterGap.watcher_connection_id, second.watcher_connection_id);
    // The pool did not change: its ids are neither new nor gone across the gap.
    assert.deepEqual(afterGap.ids, ids(pool));
    assert.deepEqual(afterGap.new, []);
    assert.deepEqual(afterGap.gone, []);
    const ticks = watch.ticks();
    assert.deepEqual(
      ticks.map((t) => t.tick),
      ticks.map((_, index) => index + 1),
      'tick numbers continue',
    );
    assert.equal(summary.gaps, 1);
    assert.equal(summary.unique_ids, 2);
    assert.equal(summary.verdict, 'stable');
  } finally {
    await Promise.all(pool.map((c) => c.end()));
  }
});

test('on a terminal the screen is redrawn in place', async () => {
  const { io, captured } = memoryIO();
  io.stdout.isTTY = true;
  const code = await runWatchConnections(
    { intervalMs: 100, count: 3, filters: { user: ['root'], db: [], host: [] }, json: false },
    io,
    tcpTarget(server, io),
  );
  assert.equal(code, ExitCode.ok);
  assert.ok(captured.stdout.startsWith(`${ESC}[?25l`), 'cursor hidden');
  assert.equal(
    captured.stdout.match(new RegExp(`${ESC}\\[\\d+A\\r`, 'g'))?.length,
    3,
    'start frame, then three ticks drawn over it',
  );
  assert.match(captured.stdout, /Summary.*3 ticks/);
  assert.ok(captured.stdout.endsWith(`${ESC}[?25h`), 'cursor shown again');
});

test('the CLI end to end: --json lines parse, plain lines have no escape codes, bad flags are usage errors', async () => {
  const json = await runCli([
    'watch-connections',
    ...cliFlags(server),
    '--count',
    '2',
    '--interval',
    '100ms',
    '--json',
  ]);
  assert.equal(json.code, 0, json.stderr);
  const objects = json.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string });
  assert.deepEqual(
    objects.map((o) => o.type),
    ['tick', 'tick', 'summary'],
  );
  assert.equal((objects[2] as SummaryReport).ticks, 2);

  const plain = await runCli([
    'watch-connections',
    ...cliFlags(server),
    '--count',
    '2',
    '--interval',
    '0.1',
    '--filter-user',
    'root',
  ]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.ok(!plain.stdout.includes(ESC), 'no escape codes in a pipe');
  assert.equal(plain.stdout.split('\n').filter((line) => / tick \d+: /.test(line)).length, 2);
  assert.match(plain.stdout, /^Watching MariaDB .* filter user=root/);
  assert.match(plain.stdout, /Verdict: /);

  const bad = await runCli(['watch-connections', ...cliFlags(server), '--interval', 'soon']);
  assert.equal(bad.code, ExitCode.usage);
  assert.match(bad.stderr, /--interval: "soon" is not a length of time/);
  const refused = await runCli([
    'watch-connections',
    '--no-defaults',
    '-h',
    '127.0.0.1',
    '-P',
    '1',
    '-u',
    'root',
    '--count',
    '1',
  ]);
  assert.equal(refused.code, ExitCode.connection);
  assert.match(refused.stderr, /connection refused/);
});

test("stdout that fails (EPIPE: its reader went away) ends the watch: exit 0, the watcher's connection closed", async () => {
  const { io } = memoryIO();
  const stdout = Object.assign(new EventEmitter(), { isTTY: false, written: '' });
  let watcherId = 0;
  io.stdout = Object.assign(stdout, {
    write(text: string) {
      stdout.written += text;
      watcherId ||= Number(/"watcher_connection_id":(\d+)/.exec(text)?.[1] ?? 0);
      // The second line fails, as a write to a closed pipe does: with an 'error' event.
      if (stdout.written.split('\n').length > 2)
        setImmediate(() => stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
      return true;
    },
  });
  // No --count, no --duration, no signal: only the failed output can end this watch.
  const code = await runWatchConnections(
    { intervalMs: 100, filters: { user: ['root'], db: [], host: [] }, json: true },
    io,
    tcpTarget(server, io),
  );
  assert.equal(code, ExitCode.ok);
  assert.ok(watcherId > 0);
  for (;;) {
    const [rows] = await admin.query<RowDataPacket[]>(
      'SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ?',
      [watcherId],
    );
    if (rows.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});

test('the CLI piped into a reader that stops reading (| head): exit 0, no unhandled EPIPE', async () => {
  const bin = fileURLToPath(new URL('../../bin/dbcache.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [bin, 'watch-connections', ...cliFlags(server), '--interval', '100ms', '--json'],
    {
      env: cliEnv(),
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  // Like `head -c 600`: read the first chunk, then close the pipe.
  child.stdout.once('data', () => child.stdout.destroy());
  // No --count: only the closed pipe can end this watch. Not a speed limit: a deadline so that a
  // watcher that keeps running fails the test instead of hanging it.
  const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
  clearTimeout(deadline);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Unhandled|\n\s+at /);
});

test('Ctrl-C (SIGINT) stops the CLI with a summary and exit status 0', async () => {
  const bin = fileURLToPath(new URL('../../bin/dbcache.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [bin, 'watch-connections', ...cliFlags(server), '--interval', '100ms', '--json'],
    {
      env: cliEnv(),
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if ((stdout.match(/"type":"tick"/g)?.length ?? 0) >= 2) resolve();
    });
    child.on('exit', () => reject(new Error(`the watcher exited before two ticks: ${stderr}`)));
  });
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
  assert.equal(code, 0, stderr);
  const last = JSON.parse(stdout.trimEnd().split('\n').at(-1) as string) as SummaryReport;
  assert.equal(last.type, 'summary');
  assert.equal(last.stopped_by, 'signal');
  assert.ok(last.ticks >= 2);
});
