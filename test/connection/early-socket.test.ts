/**
 * The connection's socket is opened while mysql2 loads (src/connection/early-socket.ts): against
 * the real server behind a relay that counts the connections it is asked for.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import type { RowDataPacket } from 'mysql2/promise';
import { openEarly } from '../../src/connection/early-socket.ts';
import { openConnection } from '../../src/connection/open.ts';
import { COMMAND_LINE, resolveConnection } from '../../src/connection/resolve.ts';
import { flagsLayer } from '../../src/connection/sources.ts';
import { targetFor } from '../../src/connection/target.ts';
import { memoryIO } from '../helpers/io.ts';
import { freePort, sharedServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let relay: Server;
let relayPort: number;
let accepted = 0;
const sockets = new Set<Socket>();

before(async () => {
  server = await sharedServer();
  relay = createServer((client) => {
    accepted++;
    const upstream = connect(server.port, server.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  relayPort = (relay.address() as { port: number }).port;
});
after(() => {
  for (const socket of sockets) socket.destroy();
  relay.close();
});

const resolvedFor = (
  port: number,
  flags: { password?: string; passwordPrompt?: boolean; sslMode?: string; sslCa?: string } = {},
) =>
  resolveConnection(
    [
      flagsLayer(
        {
          host: '127.0.0.1',
          port: String(port),
          user: server.user,
          sslMode: 'DISABLED',
          ...('passwordPrompt' in flags ? {} : { password: server.password }),
          ...flags,
        },
        COMMAND_LINE,
      ),
    ],
    { loginUser: 'nobody', socketExists: () => false, platform: process.platform },
  );
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the early socket holds the server greeting by the time mysql2 takes it, and is the only connection', async () => {
  const before = accepted;
  const resolved = resolvedFor(relayPort);
  const early = openEarly(resolved);
  await pause(300);
  const socket = early.take();
  assert.ok(socket, 'the socket is handed over');
  assert.ok(socket.readableLength > 0, 'the greeting waits in the socket');
  const connection = await openConnection(resolved, server.password, undefined, socket);
  const [rows] = await connection.query<RowDataPacket[]>('SELECT 1 AS one');
  assert.equal(rows[0]?.one, 1);
  await connection.end();
  assert.equal(accepted - before, 1, 'no second connection was opened');
});

test('a socket that failed (nothing listens) is not handed over; mysql2 reports the failure as always', async () => {
  const resolved = resolvedFor(await freePort());
  const early = openEarly(resolved);
  await pause(200);
  assert.equal(early.take(), undefined);
  await assert.rejects(openConnection(resolved, server.password), /connection refused/);
});

test('a socket that mysql2 never gets (the TLS CA file cannot be read) is closed, not left to keep the process up', async () => {
  const resolved = resolvedFor(relayPort, { sslMode: 'VERIFY_CA', sslCa: '/nonexistent/ca.pem' });
  const socket = openEarly(resolved).take();
  assert.ok(socket);
  await assert.rejects(
    openConnection(resolved, server.password, undefined, socket),
    /Could not read the TLS CA file/,
  );
  assert.equal(socket.destroyed, true);
});

test('while a password prompt waits, nothing is opened: the server gives a handshake only connect_timeout', async () => {
  const before = accepted;
  const stdin = new PassThrough();
  const { io } = memoryIO();
  io.stdin = stdin;
  const target = targetFor(resolvedFor(relayPort, { passwordPrompt: true }), io);
  const connecting = target.connect();
  await pause(300);
  assert.equal(accepted - before, 0, 'no connection before the password is typed');
  stdin.write(`${server.password}\n`);
  const connection = await connecting;
  await connection.end();
  assert.equal(accepted - before, 1);
});

test('target.connect uses its early socket rather than opening one beside it: one connection per connect', async () => {
  const before = accepted;
  const { io } = memoryIO();
  const target = targetFor(resolvedFor(relayPort), io);
  for (let run = 0; run < 3; run++) await (await target.connect()).end();
  assert.equal(accepted - before, 3);
});
