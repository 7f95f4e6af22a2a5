import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mysql2/promise';
import type { BenchReport } from '../../src/bench/report.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { connectionsLeft, statusCounter } from '../helpers/server-state.ts';
import { adminConnection } from '../helpers/target.ts';

const BIN = fileURLToPath(new URL('../../bin/dbcache.js', import.meta.url));
const USER = 'dbc_bench_sigint';
const PASSWORD = 'sigint-secret';
let server: TestServer;
let admin: Connection;

before(async () => {
  server = await sharedServer();
  admin = await adminConnection(server);
  await admin.query(`CREATE USER IF NOT EXISTS '${USER}'@'%' IDENTIFIED BY '${PASSWORD}'`);
});
after(async () => {
  await admin.query(`DROP USER IF EXISTS '${USER}'@'%'`);
  await admin.end();
});

/** Polls the server until `ready` holds; a condition on server state, not a time limit on dbcache. */
async function until(ready: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Starts the built CLI on a run far too long to finish, sends SIGINT once the server has seen it
 * open connections in `phase`, and returns what it printed and how it exited.
 */
async function interruptBench(phase: 'per request' | 'pooled') {
  const start = await statusCounter(admin, 'Connections');
  const child = spawn(
    process.execPath,
    [
      BIN,
      'bench',
      '--no-defaults',
      '-h',
      server.host,
      '-P',
      String(server.port),
      '-u',
      USER,
      '--ssl-mode',
      'DISABLED',
      '-c',
      '4',
      '--json',
      // The pooled run is fast: a request that sleeps keeps it going long enough to interrupt.
      ...(phase === 'pooled' ? ['-n', '1000', '--query', 'SELECT SLEEP(0.01)'] : ['-n', '100000', '--yes']),
    ],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, MYSQL_PWD: PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  if (phase === 'per request') {
    // Well into the measured per-request run: past the monitor, the TLS probe and the warm-up.
    await until(async () => (await statusCounter(admin, 'Connections')) - start > 300, 'the per-request run');
  } else {
    // The monitor, the TLS probe, the warm-up and the 1000 per-request connections, then the pool's four.
    await until(
      async () => (await statusCounter(admin, 'Connections')) - start >= 2 + 20 + 1000 + 4,
      'the pooled run',
    );
  }
  child.kill('SIGINT');
  const code = await exited;
  return { code, stdout, stderr };
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
