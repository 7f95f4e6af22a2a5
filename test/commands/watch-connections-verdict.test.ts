import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { type Connection, createConnection } from 'mysql2/promise';
import {
  runWatchConnections,
  type WatchConnectionsOptions,
} from '../../src/commands/watch-connections/index.ts';
import type { ConnectionFlags } from '../../src/connection/sources.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, tcpTarget } from '../helpers/target.ts';
import { startWatch } from '../watch/live.ts';

/**
 * The verdict must show what the watch exists to show: a connection the server closed for idling
 * (the application's next query gets "server has gone away"), and what it cannot see (other
 * users' connections, without the PROCESS privilege).
 */
let server: TestServer;
let admin: Connection;
const USERS = ['wv_idle', 'wv_pool', 'wv_noproc', 'wv_other'];
const NOPROC_PASSWORD = 'wv-noproc-secret';

before(async () => {
  server = await sharedServer();
  admin = await adminConnection(server);
  // The global limit is lowered by the tests: the admin connection keeps a long one.
  await admin.query('SET SESSION wait_timeout = 3600');
  for (const user of USERS) {
    // Both hosts, so that no anonymous ''@localhost account can shadow a login.
    await admin.query(`CREATE USER IF NOT EXISTS '${user}'@'%', '${user}'@'localhost'`);
  }
  // The watcher logs in as this one: with a password, as a real account would.
  await admin.query(`ALTER USER 'wv_noproc'@'%', 'wv_noproc'@'localhost' IDENTIFIED BY '${NOPROC_PASSWORD}'`);
});
after(async () => {
  await admin.query('SET GLOBAL wait_timeout = DEFAULT');
  for (const user of USERS) await admin.query(`DROP USER IF EXISTS '${user}'@'%', '${user}'@'localhost'`);
  await admin.end();
});

async function connect(user: string, password?: string): Promise<Connection> {
  const connection = await createConnection({
    host: server.host,
    port: server.port,
    user,
    ...(password ? { password } : {}),
  });
  // The server closes some of these under the test's feet: that must not crash the test process.
  connection.on('error', () => undefined);
  return connection;
}

const FILTERS = { user: ['wv_idle', 'wv_pool'], db: [], host: [] };
const WAIT_TIMEOUT = 3;

/**
 * A pooled client that holds its connection (busy now and then), and an application connection
 * opened under a 3 s global wait_timeout: kept busy until `seen` says the watcher listed it, then
 * left idle until the server closes it. The watch is started (`start`) once the limit is down, so
 * that it reads the 3 s (it re-reads wait_timeout only every 30 s). Returns the watch and the idle
 * connection's id once it is closed.
 */
async function idleClose<W>(
  start: () => W,
  seen: (watch: W, id: number) => Promise<void>,
  closed: (watch: W, id: number) => Promise<void>,
): Promise<{ watch: W; id: number; error: unknown }> {
  // The pool connected before the limit dropped: it keeps the long default.
  const pool = await connect('wv_pool');
  await admin.query(`SET GLOBAL wait_timeout = ${WAIT_TIMEOUT}`);
  const watch = start();
  const idle = await connect('wv_idle');
  const id = idle.threadId as number;
  try {
    let listed = false;
    const shown = seen(watch, id).finally(() => (listed = true));
    while (!listed) {
      await idle.query('SELECT 1');
      await delay(200);
    }
    await shown;
    await closed(watch, id);
    // The side that decides: the application's next query finds its connection gone.
    const error = await idle.query('SELECT 1').then(
      () => null,
      (err: unknown) => err,
    );
    return { watch, id, error };
  } finally {
    await admin.query('SET GLOBAL wait_timeout = DEFAULT');
    idle.destroy();
    await pool.end();
  }
}

test('a connection the server closed for idling makes the verdict churning, with the client and the count (--json)', async () => {
  const { watch, id, error } = await idleClose(
    () => startWatch(server, { intervalMs: 1000, filters: FILTERS }),
    (watch, id) =>
      watch.waitForTick('the idle client listed', (tick) => tick.ids.includes(id)).then(() => undefined),
    (watch, id) =>
      watch.waitForTick('the idle client gone', (tick) => tick.gone.includes(id)).then(() => undefined),
  );
  // One more tick after the close: the verdict must not fall back to stable.
  const closedTick = watch.ticks().find((tick) => tick.gone.includes(id));
  await watch.waitForTick('a tick after the close', (tick) => tick.tick > (closedTick?.tick ?? 0));
  watch.stop();
  const { code, summary } = await watch.done;
  assert.equal(code, ExitCode.ok);
  assert.ok(error, 'the application found its connection closed');
  const ticks = watch.ticks();
  const dump = JSON.stringify(ticks, null, 1);
  assert.deepEqual(closedTick?.closed_by_wait_timeout, [id], `not told apart:\n${dump}`);
  for (const tick of ticks.filter((t) => t.tick >= (closedTick?.tick ?? 0))) {
    assert.equal(tick.verdict, 'churning', `tick ${tick.tick} after the close:\n${dump}`);
    const idleClient = tick.clients.find((client) => client.user === 'wv_idle');
    assert.equal(idleClient?.verdict, 'churning');
    assert.equal(idleClient?.closed_by_wait_timeout, 1);
  }
  assert.equal(summary.verdict, 'churning');
  assert.equal(summary.closed_by_wait_timeout, 1);
  const idleClient = summary.clients.find((client) => client.user === 'wv_idle');
  assert.equal(idleClient?.verdict, 'churning');
  assert.equal(idleClient?.closed_by_wait_timeout, 1);
  // The pool that kept its connection is still a pool.
  assert.equal(summary.clients.find((client) => client.user === 'wv_pool')?.verdict, 'stable');
});

test('a limit lowered while the watch runs (SET GLOBAL after its start) is read again when the server aborts a client', async () => {
  // The watch reads the default limit first; the 3 s limit comes later, as `dbcache set-timeout 3` would set it.
  const running = startWatch(server, { intervalMs: 1000, filters: FILTERS });
  await running.waitForTick('a first tick, under the old limit', () => true);
  const { watch, id } = await idleClose(
    () => running,
    (watch, id) =>
      watch.waitForTick('the idle client listed', (tick) => tick.ids.includes(id)).then(() => undefined),
    (watch, id) =>
      watch.waitForTick('the idle client gone', (tick) => tick.gone.includes(id)).then(() => undefined),
  );
  watch.stop();
  assert.equal((await watch.done).code, ExitCode.ok);
  const closedTick = watch.ticks().find((tick) => tick.gone.includes(id));
  assert.deepEqual(closedTick?.closed_by_wait_timeout, [id], JSON.stringify(watch.ticks(), null, 1));
});

/** The human view of a watch (not a terminal: plain lines), with a way to wait for what it prints. */
function humanWatch(
  options: Partial<WatchConnectionsOptions>,
  flags: ConnectionFlags = {},
): { output: () => string; waitFor(what: RegExp): Promise<void>; stop(): void; done: Promise<number> } {
  const { io, captured } = memoryIO();
  const controller = new AbortController();
  const done = runWatchConnections(
    { intervalMs: 1000, filters: { user: [], db: [], host: [] }, json: false, ...options },
    io,
    tcpTarget(server, io, flags),
    { signal: controller.signal },
  );
  let ended = false;
  done.finally(() => (ended = true)).catch(() => undefined);
  return {
    output: () => captured.stdout,
    async waitFor(what) {
      // A deadline so that a broken watcher fails the test instead of hanging it; not a speed limit.
      for (let waited = 0; !what.test(captured.stdout); waited += 50) {
        if (ended || waited > 60_000)
          throw new Error(`The watcher never printed ${what}. It printed:\n${captured.stdout}`);
        await delay(50);
      }
    },
    stop: () => controller.abort(),
    done,
  };
}

test('a connection the server closed for idling: the plain lines and the summary say churning, with the client and the count', async () => {
  const tickWith = (id: number) => new RegExp(`tick \\d+: \\d+ connections? \\[[\\d,]*\\b${id}\\b`);
  const { watch, id } = await idleClose(
    () => humanWatch({ filters: FILTERS }),
    (watch, id) => watch.waitFor(tickWith(id)),
    (watch, id) => watch.waitFor(new RegExp(`closed by wait_timeout: ${id}\\b`)),
  );
  watch.stop();
  assert.equal(await watch.done, ExitCode.ok);
  const output = watch.output();
  const client = output.match(/(wv_idle@[^ :]+)/)?.[1] as string;
  assert.ok(client, output);
  const closedLine = output.split('\n').find((line) => line.includes(`closed by wait_timeout: ${id}`)) ?? '';
  assert.match(closedLine, new RegExp(`${client} churning .*verdict churning$`), output);
  assert.match(
    output,
    new RegExp(
      `\\n  ${client}: churning, up to 1 connection at once; [01] new, 1 gone .*1 closed by wait_timeout\\n`,
    ),
  );
  assert.match(output, /\n {2}wv_pool@[^:]+: stable/);
  const verdict = output.slice(output.indexOf('\nVerdict: '));
  assert.match(verdict, /^\nVerdict: churning\. /, output);
  assert.match(verdict, new RegExp(`1 connection of ${client} was closed by the server`), verdict);
  assert.doesNotMatch(verdict, /same connection ids stayed open/);
});

test('without PROCESS the watch cannot see other users: the verdict says so instead of stable', async () => {
  // The watcher's own user holds a connection (a pool that looks stable), while another user
  // reconnects twice a second, unseen.
  const held = await connect('wv_noproc', NOPROC_PASSWORD);
  let running = true;
  const reconnecting = (async () => {
    while (running) {
      const other = await connect('wv_other');
      await other.query('SELECT 1');
      await other.end();
      await delay(500);
    }
  })();
  const noproc = { user: 'wv_noproc', password: NOPROC_PASSWORD };
  try {
    const json = startWatch(server, { intervalMs: 500, count: 4 }, {}, noproc);
    const human = humanWatch({ intervalMs: 500, count: 4 }, noproc);
    // Filtered to the login's own user, the list is complete for what was asked: judged as usual.
    const own = startWatch(
      server,
      { intervalMs: 500, count: 4, filters: { user: ['wv_noproc'], db: [], host: [] } },
      {},
      noproc,
    );
    const [{ code, summary }, humanCode, ownRun] = await Promise.all([json.done, human.done, own.done]);
    assert.equal(ownRun.summary.other_users_hidden, false);
    assert.equal(ownRun.summary.verdict, 'stable');
    assert.equal(code, ExitCode.ok);
    assert.equal(humanCode, ExitCode.ok);
    // What it sees is its own user only: the other user's churn is invisible to it.
    for (const tick of json.ticks()) {
      assert.deepEqual(
        tick.clients.map((client) => client.user),
        ['wv_noproc'],
      );
      assert.equal(tick.other_users_hidden, true);
    }
    assert.equal(summary.clients.find((client) => client.user === 'wv_noproc')?.verdict, 'stable');
    assert.equal(summary.other_users_hidden, true);
    assert.equal(summary.verdict, 'unknown');
    for (const tick of json.ticks()) assert.notEqual(tick.verdict, 'stable');

    const output = human.output();
    assert.doesNotMatch(output, /verdict stable/);
    const verdict = output.slice(output.indexOf('\nVerdict: '));
    assert.match(verdict, /^\nVerdict: unknown\. /, output);
    assert.match(verdict, /cannot judge other users' connections/);
    assert.match(verdict, /PROCESS privilege/);
  } finally {
    running = false;
    await reconnecting;
    await held.end();
  }
});
