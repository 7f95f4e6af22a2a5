/**
 * bench's human output: the TLS suggestion only where following it works (a server that offers
 * TLS, reached over TCP), and a Ctrl-C message that starts on its own line, not after the bar.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OpenConnections } from '../../src/bench/open-connections.ts';
import { benchInterrupts } from '../../src/commands/bench/command.ts';
import { runBench } from '../../src/commands/bench/index.ts';
import { progressBar } from '../../src/commands/bench/progress.ts';
import { COMMAND_LINE, resolveConnection } from '../../src/connection/resolve.ts';
import { flagsLayer } from '../../src/connection/sources.ts';
import { targetFor } from '../../src/connection/target.ts';
import { Interrupts } from '../../src/interrupt.ts';
import type { IO } from '../../src/io.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, startTestServer, type TestServer } from '../helpers/server.ts';
import { tcpTarget } from '../helpers/target.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../bench/tls/${name}`, import.meta.url));
const SUGGESTION = /try --ssl-mode REQUIRED to see how much/;

let plain: TestServer;
let tls: TestServer;
before(async () => {
  plain = await sharedServer();
  tls = await startTestServer({
    args: [`--ssl-cert=${fixture('server-cert.pem')}`, `--ssl-key=${fixture('server-key.pem')}`],
  });
});
after(async () => {
  await tls?.stop();
});

/** A socket target for `server`, as given with -S. */
function socketTarget(server: TestServer, io: IO) {
  const resolved = resolveConnection(
    [flagsLayer({ socket: server.socket, user: server.user, password: server.password }, COMMAND_LINE)],
    { loginUser: 'nobody', socketExists: () => true, platform: process.platform },
  );
  return targetFor(resolved, io);
}

async function humanBench(target: (io: IO) => ReturnType<typeof tcpTarget>): Promise<string> {
  const { io, captured } = memoryIO({ NO_COLOR: '1' });
  const code = await runBench(
    { requests: 30, concurrency: 2, query: 'SELECT CONNECTION_ID()', json: false, yes: false },
    io,
    target(io),
  );
  assert.equal(code, ExitCode.ok, captured.stderr);
  assert.match(captured.stdout, /without TLS|over TLS/);
  return captured.stdout;
}

test('a server that offers TLS, over TCP without it: the TLS run is suggested', async () => {
  const output = await humanBench((io) => tcpTarget(tls, io, { sslMode: 'DISABLED' }));
  assert.match(output, /without TLS/);
  assert.match(output, SUGGESTION);
});

test('a server without TLS (the default throwaway server): no suggestion that would fail', async () => {
  const disabled = await humanBench((io) => tcpTarget(plain, io, { sslMode: 'DISABLED' }));
  assert.doesNotMatch(disabled, SUGGESTION);
  const preferred = await humanBench((io) => tcpTarget(plain, io, { sslMode: 'PREFERRED' }));
  assert.match(preferred, /without TLS/);
  assert.doesNotMatch(preferred, SUGGESTION);
});

test('over a socket: no TLS suggestion, even to a server that offers it', async () => {
  assert.ok(tls.socket);
  const output = await humanBench((io) => socketTarget(tls, io));
  assert.match(output, /at socket .* without TLS/);
  assert.doesNotMatch(output, SUGGESTION);
});

test('Ctrl-C during a run: the message starts on its own line, below the bar', () => {
  const { io } = memoryIO();
  const written: string[] = [];
  io.stderr = { isTTY: true, write: (text: string | Uint8Array) => written.push(String(text)) };
  let now = 0;
  io.now = () => now;
  const bar = progressBar(io, 'per request', 2000);
  bar.update(822);
  const exits: number[] = [];
  // Presses delivered by hand: the first aborts the run's signal, the second is urgent.
  const interrupts = new Interrupts();
  benchInterrupts(io, interrupts, new OpenConnections(), (code) => exits.push(code));
  interrupts.press();
  assert.match(written.at(-2) ?? '', /822\/2000$/);
  assert.match(written.at(-1) ?? '', /^\ndbcache: stopping after the requests in flight/);
  // The bar redraws below the message; a second Ctrl-C starts on its own line too.
  now += 1000;
  bar.update(900);
  assert.match(written.at(-1) ?? '', /900\/2000$/);
  interrupts.press();
  assert.match(written.at(-1) ?? '', /^\ndbcache: stopped at once/);
  assert.deepEqual(exits, [ExitCode.interrupted]);
  // Without a bar on the line (after done(), or no terminal) nothing is added.
  bar.done();
  const again = new Interrupts();
  benchInterrupts(io, again, new OpenConnections(), () => undefined);
  again.press();
  assert.match(written.at(-1) ?? '', /^dbcache: stopping/);
});
