/**
 * Every statement has a deadline, and Ctrl-C / SIGTERM end a command promptly: proven with the
 * built CLI (spawned processes) against the throwaway server behind a proxy that forwards the
 * login and then stops answering at a chosen statement.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { type StallOptions, type StallProxy, stallProxy } from '../helpers/stall-proxy.ts';
import { adminConnection, cliEnv } from '../helpers/target.ts';

const BIN = fileURLToPath(new URL('../../bin/dbcache.js', import.meta.url));
/** Not a speed limit: a CLI still running after this is a hang, and is killed (exit -1). */
const HANG_MS = 25_000;

let server: TestServer;
let admin: Connection;
before(async () => {
  server = await sharedServer();
  admin = await adminConnection(server);
});
after(async () => {
  await admin.query('SET GLOBAL wait_timeout = 28800, GLOBAL interactive_timeout = 28800');
  await admin.end();
});

interface Running {
  /** Resolves with the exit code (-1: killed as a hang) and the output. */
  done: Promise<{ code: number; stdout: string; stderr: string }>;
  stderr(): string;
  signal(name: NodeJS.Signals): void;
}

function startCli(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const hang = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(hang);
      resolve({ code: signal ? -1 : (code ?? -1), stdout, stderr });
    });
  });
  return { done, stderr: () => stderr, signal: (name) => child.kill(name) };
}

/** Polls until `ready()` holds; fails the test (rather than hanging it) after HANG_MS. */
async function until(what: string, ready: () => boolean): Promise<void> {
  const start = Date.now();
  while (!ready()) {
    if (Date.now() - start > HANG_MS) throw new Error(`${what} did not happen`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const flagsFor = (proxy: { host: string; port: number }, statementTimeout = '1') => [
  '--no-defaults',
  '-h',
  proxy.host,
  '-P',
  String(proxy.port),
  '-u',
  server.user,
  '--ssl-mode',
  'DISABLED',
  '--statement-timeout',
  statementTimeout,
];

async function withProxy<T>(stall: StallOptions, work: (proxy: StallProxy) => Promise<T>): Promise<T> {
  const proxy = await stallProxy(server, stall);
  try {
    return await work(proxy);
  } finally {
    await proxy.close();
  }
}

async function globals(): Promise<{ wait: number; interactive: number }> {
  const [rows] = await admin.query<RowDataPacket[]>(
    'SELECT @@GLOBAL.wait_timeout AS wait, @@GLOBAL.interactive_timeout AS interactive',
  );
  return { wait: Number(rows[0]?.wait), interactive: Number(rows[0]?.interactive) };
}

const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at |internal error/, stderr);

for (const { name, args } of [
  { name: 'check-timeout', args: ['check-timeout'] },
  { name: 'set-timeout 600', args: ['set-timeout', '600'] },
  { name: 'bench -n 10 -c 1', args: ['bench', '-n', '10', '-c', '1'] },
  { name: 'generate django', args: ['generate', 'django'] },
]) {
  test(`${name}: a server that stops answering after the login ends in exit 3 with a sentence naming the server and the statement`, async () => {
    await withProxy({ at: '' }, async (proxy) => {
      const result = await startCli([...args, ...flagsFor(proxy)]).done;
      assert.equal(result.code, ExitCode.connection, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `^dbcache: The server at 127\\.0\\.0\\.1:${proxy.port} did not answer \\S.* within 1 s \\(--statement-timeout\\)`,
        ),
      );
      assert.equal(proxy.stalls(), 1);
      noStack(result.stderr);
    });
  });
}

test('check-timeout: the origin of the setting unanswered is a failure too, not "the server cannot say"', async () => {
  await withProxy({ at: 'GLOBAL_VALUE_ORIGIN' }, async (proxy) => {
    const result = await startCli(['check-timeout', ...flagsFor(proxy)]).done;
    assert.equal(result.code, ExitCode.connection, result.stderr);
    assert.match(
      result.stderr,
      /did not answer SELECT VARIABLE_NAME AS name, GLOBAL_VALUE_ORIGIN .* within 1 s/,
    );
    assert.equal(proxy.stalls(), 1);
    assert.equal(result.stdout, '');
    noStack(result.stderr);
  });
});

test('bench: a request the server does not answer ends at the deadline, exit 3 naming the bench query', async () => {
  await withProxy({ at: 'SELECT CONNECTION_ID()' }, async (proxy) => {
    const result = await startCli(['bench', '-n', '10', '-c', '1', ...flagsFor(proxy)]).done;
    assert.equal(result.code, ExitCode.connection, result.stderr);
    assert.match(result.stderr, /did not answer SELECT CONNECTION_ID\(\) within 1 s \(--statement-timeout\)/);
    noStack(result.stderr);
  });
});

test('patch-config --list: a server that stops answering is reported as unreadable, and the command ends', async () => {
  await withProxy({ at: '' }, async (proxy) => {
    const result = await startCli(['patch-config', '--list', ...flagsFor(proxy)]).done;
    assert.notEqual(result.code, -1, 'it ended');
    assert.match(result.stdout + result.stderr, /did not answer SHOW GLOBAL VARIABLES/);
    noStack(result.stderr);
  });
});

test('the statement deadline defaults to --connect-timeout, and the help says so', async () => {
  await withProxy({ at: '' }, async (proxy) => {
    const flags = flagsFor(proxy).slice(0, -2);
    const result = await startCli(['check-timeout', ...flags, '--connect-timeout', '1']).done;
    assert.equal(result.code, ExitCode.connection, result.stderr);
    assert.match(result.stderr, /within 1 s \(--statement-timeout\)/);
  });
  const help = await startCli(['check-timeout', '--help']).done;
  assert.match(
    help.stdout.replace(/\s+/g, ' '),
    /--statement-timeout .*default: the --connect-timeout value/,
  );
});

test('set-timeout 600: stalled at the SET, nothing is left changed (the undo runs on a new connection); exit 3', async () => {
  await admin.query('SET GLOBAL wait_timeout = 28800, GLOBAL interactive_timeout = 28800');
  await withProxy({ at: 'SET GLOBAL wait_timeout' }, async (proxy) => {
    const result = await startCli(['set-timeout', '600', ...flagsFor(proxy)]).done;
    assert.equal(result.code, ExitCode.connection, result.stderr);
    assert.match(result.stderr, /did not answer SET GLOBAL wait_timeout = 600 within 1 s/);
    assert.match(result.stderr, /on a new connection/);
    assert.match(result.stderr, /the server is as it was/);
    noStack(result.stderr);
  });
  assert.deepEqual(await globals(), { wait: 28800, interactive: 28800 });
});

test('set-timeout --interactive stalled at SET GLOBAL interactive_timeout: on the deadline, wait_timeout is put back on a new connection; exit 3', async () => {
  await admin.query('SET GLOBAL wait_timeout = 28800, GLOBAL interactive_timeout = 28800');
  await withProxy({ at: 'SET GLOBAL interactive_timeout' }, async (proxy) => {
    const result = await startCli(['set-timeout', '700', '--interactive', ...flagsFor(proxy)]).done;
    assert.equal(result.code, ExitCode.connection, result.stderr);
    assert.match(result.stderr, /did not answer SET GLOBAL interactive_timeout = 700 within 1 s/);
    assert.match(result.stderr, /put them back on a new connection/);
    assert.match(result.stderr, /the server is as it was/);
    noStack(result.stderr);
  });
  assert.deepEqual(await globals(), { wait: 28800, interactive: 28800 });
});

for (const presses of [['SIGINT', 'SIGINT'] as const, ['SIGTERM', 'SIGINT'] as const]) {
  test(`set-timeout --interactive stalled at SET GLOBAL interactive_timeout: ${presses.join(' then ')} undoes on a new connection; exit 130`, async () => {
    await admin.query('SET GLOBAL wait_timeout = 28800, GLOBAL interactive_timeout = 28800');
    await withProxy({ at: 'SET GLOBAL interactive_timeout' }, async (proxy) => {
      // A deadline the test would never see the end of: only the interrupts can end it.
      const running = startCli(['set-timeout', '700', '--interactive', ...flagsFor(proxy, '600')]);
      await until('the stall', () => proxy.stalls() === 1);
      assert.equal((await globals()).wait, 700, 'the first statement took effect');
      running.signal(presses[0]);
      await until('the first press is acknowledged', () => /again/.test(running.stderr()));
      running.signal(presses[1]);
      const result = await running.done;
      assert.equal(result.code, ExitCode.interrupted, result.stderr);
      assert.match(result.stderr, /SET GLOBAL interactive_timeout = 700/);
      assert.match(result.stderr, /on a new connection/);
      assert.match(result.stderr, /the server is as it was/);
      noStack(result.stderr);
    });
    assert.deepEqual(await globals(), { wait: 28800, interactive: 28800 });
  });
}

test('check-timeout: Ctrl-C while a statement waits ends at once with exit 130', async () => {
  await withProxy({ at: '' }, async (proxy) => {
    const running = startCli(['check-timeout', ...flagsFor(proxy, '600')]);
    await until('the stall', () => proxy.stalls() === 1);
    running.signal('SIGINT');
    const result = await running.done;
    assert.equal(result.code, ExitCode.interrupted, result.stderr);
    assert.match(
      result.stderr,
      /Interrupted \(Ctrl-C\) while waiting for the server at 127\.0\.0\.1:\d+ to answer/,
    );
    await until('the stalled socket is closed', () => proxy.heldOpen() === 0);
  });
});

test('watch-connections stalled at session setup: exit 3 with a sentence, not an internal error', async () => {
  await withProxy({ at: 'SET SESSION wait_timeout' }, async (proxy) => {
    const result = await startCli(['watch-connections', '--count', '3', ...flagsFor(proxy)]).done;
    assert.equal(result.code, ExitCode.connection, result.stderr);
    assert.match(result.stderr, /did not answer SET SESSION wait_timeout = 86400 within 1 s/);
    noStack(result.stderr);
  });
});

test('watch-connections stalled mid-run: it reconnects, prints every tick and the summary, and the process exits 0', async () => {
  await withProxy({ at: 'SHOW GLOBAL STATUS', skip: 3 }, async (proxy) => {
    const result = await startCli([
      'watch-connections',
      '--count',
      '8',
      '--interval',
      '500ms',
      '--json',
      ...flagsFor(proxy),
    ]).done;
    assert.equal(result.code, ExitCode.ok, result.stderr);
    assert.equal(proxy.stalls(), 1);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    assert.equal(lines.filter((line) => line.type === 'tick').length, 8, result.stdout);
    assert.equal(lines.at(-1)?.type, 'summary');
  });
});

/** A TCP server that accepts connections and never greets: an unreachable server's handshake. */
async function silentServer() {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (silent.address() as { port: number }).port,
    accepted: () => sockets.length,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    },
  };
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`watch-connections: ${signal} while the connect waits for a greeting ends at once, not after --connect-timeout`, async () => {
    const silent = await silentServer();
    try {
      const running = startCli([
        'watch-connections',
        ...flagsFor(silent).slice(0, -2),
        // Longer than the test waits: a process that waited for it would be killed as a hang.
        '--connect-timeout',
        '600',
      ]);
      await until('the connect', () => silent.accepted() === 1);
      running.signal(signal);
      const result = await running.done;
      assert.equal(result.code, ExitCode.interrupted, result.stderr);
      assert.match(result.stderr, /stopped before the first tick/);
    } finally {
      await silent.close();
    }
  });
}

test('check-timeout: Ctrl-C while the connect waits for a greeting ends at once with exit 130', async () => {
  const silent = await silentServer();
  try {
    const running = startCli(['check-timeout', ...flagsFor(silent).slice(0, -2), '--connect-timeout', '600']);
    await until('the connect', () => silent.accepted() === 1);
    running.signal('SIGINT');
    const result = await running.done;
    assert.equal(result.code, ExitCode.interrupted, result.stderr);
    assert.match(result.stderr, /Interrupted \(Ctrl-C\) while connecting to the server at 127\.0\.0\.1:\d+/);
  } finally {
    await silent.close();
  }
});
