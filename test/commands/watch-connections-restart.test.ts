import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type Connection, createConnection, type RowDataPacket } from 'mysql2/promise';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { startWatch } from '../watch/live.ts';

/** A private server: this file sets a tiny global wait_timeout and restarts it. */
let server: TestServer;
before(async () => {
  server = await startTestServer();
  // The application's own user: the server's start-up probe (root) must not show up as a client.
  const admin = await connect('root');
  await admin.query("CREATE USER 'wc_app'@'%', 'wc_app'@'localhost'");
  await admin.end();
});
after(async () => {
  await server?.stop();
});

async function connect(user = 'wc_app'): Promise<Connection> {
  const connection = await createConnection({ host: server.host, port: server.port, user });
  // The server closes these under the test's feet: that must not crash the test process.
  connection.on('error', () => undefined);
  return connection;
}

const FAST_BACKOFF = { initialMs: 50, maxMs: 500 };

test('connections the server closes for idling are called out; the watcher itself outlives a 1 s wait_timeout', async () => {
  const admin = await connect('root');
  await admin.query('SET SESSION wait_timeout = 3600');
  // Connected before the global limit drops: the idle client keeps the long default until the
  // watcher has seen it, however slow the machine is to start the watcher.
  const idle = await connect();
  const id = idle.threadId as number;
  await admin.query('SET GLOBAL wait_timeout = 1');
  try {
    // Ticks 2.5 s apart: a watcher that kept the global 1 s limit would be dropped between them.
    const watch = startWatch(server, {
      intervalMs: 2500,
      filters: { user: ['wc_app'], db: [], host: [] },
    });
    // Busy (idle time 0) until a tick shows it, then left idle with a 1 s limit: the tick that
    // last sees it shows an idle time within the global wait_timeout, as the rule asks.
    let seen = false;
    const shown = watch.waitForTick('the idle client', (tick) => tick.ids.includes(id));
    shown.then(
      () => (seen = true),
      () => (seen = true),
    );
    while (!seen) {
      await idle.query('SELECT 1');
      await delay(200);
    }
    await shown;
    await idle.query('SET SESSION wait_timeout = 1');
    const closedTick = await watch.waitForTick('the idle client gone', (tick) => tick.gone.includes(id));
    watch.stop();
    const { code, summary } = await watch.done;
    assert.equal(code, ExitCode.ok);
    const ticks = watch.ticks();
    assert.deepEqual(
      closedTick.closed_by_wait_timeout,
      [id],
      `the server's close was not told apart:\n${JSON.stringify(ticks, null, 1)}`,
    );
    assert.equal(closedTick.gone_connections.find((g) => g.id === id)?.reason, 'wait-timeout');
    assert.ok((closedTick.rates.aborted_clients_per_second ?? 0) > 0);
    assert.equal(summary.closed_by_wait_timeout, 1);
    assert.ok(ticks.length >= 2);
    assert.equal(summary.gaps, 0, 'the watcher raised its own session wait_timeout');
    assert.equal(new Set(ticks.map((t) => t.watcher_connection_id)).size, 1);
  } finally {
    await admin.query('SET GLOBAL wait_timeout = DEFAULT');
    await admin.end();
    idle.destroy();
  }
});

test('filter values cannot leave their string literal, even under sql_mode NO_BACKSLASH_ESCAPES', async () => {
  const admin = await connect('root');
  const [rows] = await admin.query<RowDataPacket[]>('SELECT @@GLOBAL.sql_mode AS mode');
  const mode = String(rows[0]?.mode ?? '');
  // The watcher's session starts with the global sql_mode.
  await admin.query(
    "SET GLOBAL sql_mode = CONCAT_WS(',', NULLIF(@@GLOBAL.sql_mode, ''), 'NO_BACKSLASH_ESCAPES')",
  );
  const app = await connect();
  try {
    const once = async (user: string) => {
      const watch = startWatch(server, { count: 1, filters: { user: [user], db: [], host: [] } });
      await watch.done;
      return watch.ticks()[0]?.ids;
    };
    assert.deepEqual(await once("x' OR 1=1 OR USER LIKE '"), [], 'a quote in a filter is part of the name');
    assert.deepEqual(await once('x\\'), []);
    assert.deepEqual(await once('wc_app'), [app.threadId]);
  } finally {
    await admin.query('SET GLOBAL sql_mode = ?', [mode]);
    await admin.end();
    await app.end();
  }
});

test('a server restart during the watch: reconnects with backoff, marks the gap, old ids end with the server, counts continue', async () => {
  const pool = [await connect(), await connect()];
  const poolIds = pool.map((c) => c.threadId as number).sort((a, b) => a - b);
  const watch = startWatch(
    server,
    { filters: { user: ['wc_app'], db: [], host: [] } },
    { backoff: FAST_BACKOFF },
  );
  await watch.waitForTick('two ticks before the restart', (tick) => tick.tick === 2);
  await server.restart();
  const afterGap = await watch.waitForTick('a tick after the restart', (tick) => tick.gap !== null);
  // The application reconnects its pool after the restart.
  const newPool = [await connect(), await connect()];
  const newIds = newPool.map((c) => c.threadId as number).sort((a, b) => a - b);
  await watch.waitForTick('the new pool', (tick) => newIds.every((id) => tick.ids.includes(id)));
  const lastTick = (await watch.waitForTick('one more tick', (tick) => tick.tick > afterGap.tick + 2)).tick;
  watch.stop();
  const { code, summary } = await watch.done;
  await Promise.all(newPool.map((c) => c.end()));
  for (const connection of pool) connection.destroy();

  assert.equal(code, ExitCode.ok);
  assert.ok(watch.lines.some((line) => line.type === 'disconnected'));
  assert.equal(afterGap.gap?.server_restarted, true);
  assert.equal(afterGap.server_restarted, true);
  assert.ok((afterGap.gap?.attempts ?? 0) >= 1);
  assert.deepEqual(afterGap.gone, poolIds);
  assert.ok(afterGap.gone_connections.every((g) => g.reason === 'server-restart'));
  const ticks = watch.ticks();
  assert.deepEqual(
    ticks.map((t) => t.tick),
    Array.from({ length: ticks.length }, (_, index) => index + 1),
    'the tick count continues across the gap',
  );
  assert.ok(lastTick <= ticks.length);
  assert.equal(summary.server_restarts, 1);
  assert.equal(summary.gaps, 1);
  assert.equal(summary.gone_by_server_restart, 2);
  assert.equal(summary.gone_total, 0, 'ids that ended with the server are not churn');
  assert.equal(summary.unique_ids, 4, 'two before the restart, two after');
  assert.equal(summary.verdict, 'stable');
});
