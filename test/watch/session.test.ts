import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import { StatementTimeout } from '../../src/connection/deadline.ts';
import type { ServerTarget } from '../../src/connection/target.ts';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { isWorthRetrying, openSession, type SourceMemory } from '../../src/watch/session.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { stallProxy } from '../helpers/stall-proxy.ts';
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

const until = async (ready: () => boolean): Promise<void> => {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 10));
};

/**
 * A stand-in for a mysql2 connection to a MySQL 8.0 server with performance_schema on, whose
 * user may not read performance_schema.processlist (no installable server here is MySQL 8):
 * it answers the statements a session sends, by their text.
 */
function mysql8Connection(log: string[]) {
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
  const options = { filters, now: () => 0, sourceMemory };
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

test('a server that answers the login and then never answers: opening gives up at the statement deadline, or at once on the stop signal', async () => {
  const server = await sharedServer();
  const proxy = await stallProxy(server, { at: 'SET SESSION wait_timeout', times: 2 });
  try {
    const { io } = memoryIO();
    const through = { ...server, host: proxy.host, port: proxy.port };
    const timedOut = await within(
      'opening',
      openSession(tcpTarget(through, io, { statementTimeout: '1' }), { filters, now: () => 0 }).then(
        () => undefined,
        (err: unknown) => err,
      ),
    );
    assert.ok(timedOut instanceof StatementTimeout, String(timedOut));
    assert.equal(timedOut.exitCode, ExitCode.connection);
    assert.match(timedOut.message, /did not answer SET SESSION wait_timeout = 86400 within 1 s/);
    assert.equal(isWorthRetrying(timedOut), true, 'mid-run, a reconnect is worth trying');
    await within(
      'the stalled socket to close',
      until(() => proxy.heldOpen() === 0),
    );

    const controller = new AbortController();
    // A deadline the test would never see the end of: only the signal can end it.
    const opening = openSession(
      tcpTarget(through, io, { statementTimeout: '3600' }),
      { filters, now: () => 0 },
      controller.signal,
    );
    await within(
      'the second stall',
      until(() => proxy.stalls() === 2),
    );
    controller.abort();
    await assert.rejects(within('opening', opening), /Interrupted/);
    await within(
      'the stalled socket to close',
      until(() => proxy.heldOpen() === 0),
    );
  } finally {
    await proxy.close();
  }
});

test('a server that accepts the TCP connection and never greets: the stop signal ends the connect and closes its socket at once', async () => {
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
    // Longer than the test waits: a socket left to the connect timeout fails the test.
    const target = tcpTarget(server, io, { connectTimeout: '600' });
    const controller = new AbortController();
    const opening = openSession(target, { filters, now: () => 0 }, controller.signal);
    await within(
      'connecting',
      until(() => sockets.length > 0),
    );
    controller.abort();
    await assert.rejects(within('connecting', opening), /Interrupted .* while connecting/);
    // Nothing is left to keep the process up: the abandoned attempt's socket is closed now.
    await within(
      'closing',
      until(() => closed === 1),
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
