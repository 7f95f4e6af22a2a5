import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import type { ServerTarget } from '../../src/connection/target.ts';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { isWorthRetrying, openSession, type SourceMemory } from '../../src/watch/session.ts';
import { memoryIO } from '../helpers/io.ts';
import type { TestServer } from '../helpers/server.ts';
import { tcpTarget } from '../helpers/target.ts';

/** Not a speed limit: a deadline so that a watcher that waits forever fails the test instead of hanging it. */
const DEADLINE_MS = 30_000;
const within = <T>(what: string, work: Promise<T>): Promise<T> =>
  Promise.race([
    work,
    new Promise<never>((_resolve, reject) =>
      setTimeout(() => reject(new Error(`${what} did not end`)), DEADLINE_MS).unref(),
    ),
  ]);

const filters = { user: [], db: [], host: [] };

/**
 * A stand-in for a mysql2 connection to a MySQL 8.0 server with performance_schema on, whose
 * user may not read performance_schema.processlist (no installable server here is MySQL 8):
 * it answers the statements a session sends, by their text.
 */
function mysql8Connection(log: string[], hang = false) {
  let destroyed = false;
  const answer = (sql: string): unknown[] => {
    log.push(sql);
    if (/^SHOW GLOBAL VARIABLES/.test(sql))
      return [
        { Variable_name: 'version', Value: '8.0.36' },
        { Variable_name: 'version_comment', Value: 'MySQL Community Server - GPL' },
        { Variable_name: 'performance_schema', Value: 'ON' },
        { Variable_name: 'wait_timeout', Value: '600' },
      ];
    if (/^SHOW GLOBAL STATUS/.test(sql)) return [{ Variable_name: 'Uptime', Value: '100' }];
    if (/USER_PRIVILEGES/.test(sql)) return [{ 1: 1 }];
    if (/performance_schema\.processlist/.test(sql))
      throw Object.assign(new Error('SELECT command denied'), { errno: 1142, sqlState: '42000' });
    if (/information_schema\.PROCESSLIST/.test(sql))
      return [{ id: 7, user: 'app', host: 'h:1', db: null, command: 'Sleep', time: 3, state: '' }];
    return [];
  };
  const run = async (sql: string) => {
    if (hang) return new Promise<never>(() => undefined);
    return [answer(sql), []];
  };
  const connection = {
    threadId: 42,
    on: () => connection,
    query: run,
    execute: run,
    end: async () => undefined,
    destroy: () => {
      destroyed = true;
    },
  };
  return { connection: connection as unknown as Connection, destroyed: () => destroyed };
}

const targetOf = (connect: () => Promise<Connection>): ServerTarget =>
  ({ address: 'fake', user: 'w', connect }) as unknown as ServerTarget;

test('after performance_schema.processlist is refused, the session and every later one read information_schema', async () => {
  const log: string[] = [];
  const target = targetOf(async () => mysql8Connection(log).connection);
  const sourceMemory: SourceMemory = { performanceSchemaRefused: false };
  const options = { filters, queryTimeoutMs: 5000, now: () => 0, sourceMemory };
  const first = await openSession(target, options);
  assert.equal(first.source, 'performance_schema.processlist');
  const snapshot = await first.sample(new AbortController().signal);
  assert.deepEqual(
    snapshot.connections.map((row) => row.id),
    [7],
  );
  assert.equal(
    first.source,
    'information_schema.PROCESSLIST',
    'the session reports the source it fell back to',
  );
  assert.equal(sourceMemory.performanceSchemaRefused, true);

  log.length = 0;
  const second = await openSession(target, options);
  assert.equal(second.source, 'information_schema.PROCESSLIST', 'the fallback is for good');
  await second.sample(new AbortController().signal);
  assert.ok(!log.some((sql) => sql.includes('performance_schema.processlist')), log.join('\n'));
});

test('a server that connects and then never answers: opening gives up after the query timeout, or at once on the stop signal', async () => {
  const stalled = mysql8Connection([], true);
  await assert.rejects(
    within(
      'opening',
      openSession(
        targetOf(async () => stalled.connection),
        { filters, queryTimeoutMs: 200, now: () => 0 },
      ),
    ),
    (err: unknown) => (err as { code?: string }).code === 'WATCH_QUERY_TIMEOUT',
  );
  assert.ok(stalled.destroyed(), 'the stalled connection is closed');

  const again = mysql8Connection([], true);
  const controller = new AbortController();
  const opening = openSession(
    targetOf(async () => again.connection),
    // A query timeout the test would never see the end of: only the signal can end it.
    { filters, queryTimeoutMs: 3_600_000, now: () => 0 },
    controller.signal,
  );
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(within('opening', opening), /stopped/);
  assert.ok(again.destroyed());
});

test('a server that accepts the TCP connection and never greets: the stop signal does not wait for the connect timeout', async () => {
  const sockets: Socket[] = [];
  let closed = 0;
  const silent = createServer((socket) => {
    sockets.push(socket);
    socket.on('close', () => (closed += 1));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  try {
    const { io } = memoryIO();
    const server = { host: '127.0.0.1', port, user: 'root', password: '' } as TestServer;
    const target = tcpTarget(server, io, { connectTimeout: '2' });
    const controller = new AbortController();
    const opening = openSession(target, { filters, queryTimeoutMs: 5000, now: () => 0 }, controller.signal);
    await within(
      'connecting',
      (async () => {
        while (sockets.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      })(),
    );
    controller.abort();
    await assert.rejects(within('connecting', opening), /stopped/);
    assert.equal(closed, 0, 'given up while the connect was still waiting for the greeting');
    // The abandoned attempt is not leaked: it ends with its connect timeout.
    await within(
      'closing',
      (async () => {
        while (closed === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      })(),
    );
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('reconnecting is worth it when the server is away, not when it refuses the login or a privilege', () => {
  const server = (errno: number) => Object.assign(new Error(`error ${errno}`), { errno, sqlState: 'HY000' });
  const wrapped = (
    cause: unknown,
    exitCode: (typeof ExitCode)[keyof typeof ExitCode] = ExitCode.connection,
  ) => new UserError('Could not connect', exitCode, { cause });
  const network = (code: string) => Object.assign(new Error(code), { code });
  for (const err of [
    wrapped(network('ECONNREFUSED')),
    wrapped(network('ETIMEDOUT')),
    wrapped(network('ENOENT')),
    wrapped(server(1040)),
    server(1053),
    network('PROTOCOL_CONNECTION_LOST'),
    Object.assign(new Error('slow'), { code: 'WATCH_QUERY_TIMEOUT' }),
  ])
    assert.equal(isWorthRetrying(err), true, String((err as Error).cause ?? err));
  for (const err of [
    wrapped(server(1045), ExitCode.authentication),
    wrapped(server(1130), ExitCode.authentication),
    wrapped(server(1049)),
    server(1227),
    server(1142),
    wrapped(network('HANDSHAKE_NO_SSL_SUPPORT')),
    new UserError('Could not read the TLS CA file', ExitCode.file),
    new Error('a bug'),
  ])
    assert.equal(isWorthRetrying(err), false, String((err as Error).cause ?? err));
});
