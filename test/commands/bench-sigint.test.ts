import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { BenchReport } from '../../src/bench/report.ts';
import { warmUpRequests } from '../../src/commands/bench/index.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { useBenchUser } from '../bench/bench-user.ts';
import type { TestServer } from '../helpers/server.ts';
import { connectionsLeft } from '../helpers/server-state.ts';
import { cliEnv, cliFlags, startCli } from '../helpers/target.ts';

const USER = 'dbc_bench_sigint';
const PASSWORD = 'sigint-secret';
let server: TestServer;
let admin: Connection;
const benchUser = useBenchUser(USER, PASSWORD, (setup) => {
  ({ server, admin } = setup);
});

/** Polls until `ready` holds; a condition on server state, not a time limit on dbcache. */
async function until(ready: () => Promise<boolean>, what: string, patienceMs = 30_000): Promise<void> {
  const deadline = Date.now() + patienceMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The built CLI running `bench` as the test user with these flags; output collected. */
function startBench(flags: string[]) {
  return startCli(['bench', ...cliFlags(server, USER), '--json', ...flags], {
    ...cliEnv(),
    MYSQL_PWD: PASSWORD,
  });
}

/**
 * Runs `drive` against a bench child; whatever happens, a child still running afterwards is
 * killed, so a failed wait never leaves it hammering the server.
 */
async function withBench<T>(
  flags: string[],
  drive: (bench: ReturnType<typeof startBench>) => Promise<T>,
): Promise<T> {
  const bench = startBench(flags);
  try {
    return await drive(bench);
  } finally {
    if (bench.child.exitCode === null && bench.child.signalCode === null) {
      bench.child.kill('SIGKILL');
      await bench.exited;
    }
  }
}

/** Resolves to the exit code, or fails when the child has not exited within `patienceMs`. */
async function exitWithin(exited: Promise<number | null>, patienceMs: number, what: string) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still running after ${patienceMs} ms`)), patienceMs);
  });
  try {
    return await Promise.race([exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a run far too long to finish, sends SIGINT once the bench user has made enough
 * connections to be in `phase`, and returns what it printed and how it exited. The user's own
 * connection count (not the server's global counter) is what other clients cannot move.
 */
async function interruptBench(phase: 'per request' | 'pooled', signal: NodeJS.Signals = 'SIGINT') {
  const start = await benchUser.connectionsMade();
  const made = async () => (await benchUser.connectionsMade()) - start;
  const flags =
    // The pooled run is fast: a request that sleeps keeps it going long enough to interrupt.
    phase === 'pooled'
      ? ['-c', '4', '-n', '1000', '--query', 'SELECT SLEEP(0.01)']
      : ['-c', '4', '-n', '100000', '--yes'];
  return withBench(flags, async ({ child, output, exited }) => {
    if (phase === 'per request') {
      // Well into the measured per-request run: past the monitor, the TLS probe and the warm-up.
      await until(async () => (await made()) > 300, 'the per-request run');
    } else {
      // The monitor, the TLS probe, the warm-up and the 1000 per-request connections, then the pool's four.
      await until(async () => (await made()) >= 2 + warmUpRequests(4) + 1000 + 4, 'the pooled run');
    }
    child.kill(signal);
    const code = await exitWithin(exited, 60_000, 'after Ctrl-C');
    return { code, ...output };
  });
}

test('Ctrl-C during the per-request run: it stops, prints what it measured, and no connection of the bench user remains', async () => {
  const { code, stdout, stderr } = await interruptBench('per request');
  assert.equal(code, ExitCode.interrupted, stderr);
  const report = JSON.parse(stdout) as BenchReport;
  assert.equal(report.interrupted, true);
  assert.ok(report.per_request, stderr);
  assert.ok(report.per_request.requests > 0 && report.per_request.requests < 100000);
  assert.equal(report.pooled, null, 'the pooled run never started');
  assert.equal(report.speedup, null);
  assert.match(stderr, /stopping after the requests in flight; press Ctrl-C again to drop them at once/);
  assert.equal(await connectionsLeft(admin, USER), 0);
});

test('SIGTERM during the per-request run is a first Ctrl-C: it stops, reports what it measured, exit 130', async () => {
  const { code, stdout, stderr } = await interruptBench('per request', 'SIGTERM');
  assert.equal(code, ExitCode.interrupted, stderr);
  const report = JSON.parse(stdout) as BenchReport;
  assert.equal(report.interrupted, true);
  assert.ok(report.per_request && report.per_request.requests > 0, stderr);
  assert.equal(await connectionsLeft(admin, USER), 0);
});

test('Ctrl-C during the pooled run: the pool is closed, no connection of the bench user remains', async () => {
  const { code, stdout, stderr } = await interruptBench('pooled');
  assert.equal(code, ExitCode.interrupted, stderr);
  const report = JSON.parse(stdout) as BenchReport;
  assert.equal(report.interrupted, true);
  assert.equal(report.per_request?.requests, 1000);
  // Stopped in the pool's warm-up (nothing measured) or in its measured run (part of it).
  assert.ok(report.pooled === null || report.pooled.requests < 1000, `pooled ran ${report.pooled?.requests}`);
  assert.equal(report.speedup, null);
  assert.equal(await connectionsLeft(admin, USER), 0);
});

test('a second Ctrl-C stops a request that does not end (a long --query) at once: connections dropped, exit 130', async () => {
  const sleeping = async () => {
    const [rows] = await admin.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE 'SELECT SLEEP(100)%'",
      [USER],
    );
    return Number(rows[0]?.n);
  };
  const { code, stdout, stderr } = await withBench(
    ['-c', '2', '-n', '4', '--query', 'SELECT SLEEP(100)'],
    async ({ child, output, exited }) => {
      await until(async () => (await sleeping()) === 2, 'two requests sleeping on the server');
      child.kill('SIGINT');
      await until(
        async () => output.stderr.includes('press Ctrl-C again'),
        'the first Ctrl-C to be seen',
        10_000,
      );
      // The first Ctrl-C waits for the requests in flight: 100 s here.
      await pause(500);
      assert.equal(child.exitCode, null, 'one Ctrl-C waits for the requests in flight');
      child.kill('SIGINT');
      const exitCode = await exitWithin(exited, 10_000, 'after the second Ctrl-C');
      return { code: exitCode, ...output };
    },
  );
  assert.equal(code, ExitCode.interrupted, stderr);
  assert.equal(stdout, '', 'nothing is reported for requests that never finished');
  assert.match(stderr, /stopped at once: the connections were dropped/);
  // The server ends a SLEEP whose client went away at its next check (every 5 s).
  assert.equal(await connectionsLeft(admin, USER, 15_000), 0);
});
