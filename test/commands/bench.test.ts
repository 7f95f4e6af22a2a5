import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { BenchReport } from '../../src/bench/report.ts';
import { SAFE_LIMITS } from '../../src/bench/safety.ts';
import { yesDescription } from '../../src/commands/bench/command.ts';
import { type BenchOptions, runBench, warmUpRequests } from '../../src/commands/bench/index.ts';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { OTHER_CLIENTS_SLACK, useBenchUser } from '../bench/bench-user.ts';
import { hasEscapeCodes } from '../helpers/ansi.ts';
import { memoryIO } from '../helpers/io.ts';
import type { TestServer } from '../helpers/server.ts';
import { connectionsLeft } from '../helpers/server-state.ts';
import { adminConnection, cliFlags, runCli, tcpTarget } from '../helpers/target.ts';

const USER = 'dbc_bench';
const PASSWORD = 'bench-secret';
let server: TestServer;
let admin: Connection;
const benchUser = useBenchUser(USER, PASSWORD, (setup) => {
  ({ server, admin } = setup);
});

/**
 * The report's connections_opened comes from the server's global Connections counter, which
 * other clients move too: at least `opened`, and not more than a few others could add.
 */
function assertOpenedAbout(actual: number | undefined, opened: number, what: string): void {
  assert.ok(
    actual !== undefined && actual >= opened && actual <= opened + OTHER_CLIENTS_SLACK,
    `${what}: connections_opened ${actual}, expected ${opened} (up to ${OTHER_CLIENTS_SLACK} more from other clients)`,
  );
}

const options = (overrides: Partial<BenchOptions> = {}): BenchOptions => ({
  requests: 200,
  concurrency: 4,
  query: 'SELECT CONNECTION_ID()',
  json: true,
  yes: false,
  ...overrides,
});

async function bench(overrides: Partial<BenchOptions> = {}, flags: Record<string, string> = {}) {
  const { io, captured } = memoryIO();
  const target = tcpTarget(server, io, { user: USER, password: PASSWORD, ...flags });
  const code = await runBench(options(overrides), io, target);
  return {
    code,
    ...captured,
    report: overrides.json === false ? undefined : (JSON.parse(captured.stdout) as BenchReport),
  };
}

test('per request opens one server connection a request, pooled at most --concurrency, and pooled is faster', async () => {
  const made = await benchUser.connectionsMade();
  const { code, report } = await bench();
  assert.equal(code, ExitCode.ok);
  assert.ok(report);
  const { per_request: perRequest, pooled, speedup } = report;
  assert.ok(perRequest && pooled && speedup);
  assert.equal(perRequest.requests, 200);
  assertOpenedAbout(perRequest.connections_opened, 200, 'per request');
  assert.equal(perRequest.thread_ids.length, 200, 'every request had a thread of its own');
  assert.equal(pooled.requests, 200);
  assertOpenedAbout(pooled.connections_opened, 4, 'pooled');
  assert.ok(pooled.thread_ids.length >= 1 && pooled.thread_ids.length <= 4);
  // Exact, whatever else connects: the bench user's own logins. The monitor, the probe that
  // settles TLS, the per-request warm-up and run, and the pool's four (its warm-up reuses them).
  assert.equal(
    (await benchUser.connectionsMade()) - made,
    2 + warmUpRequests(4) + 200 + 4,
    'one connection a request per request, four for the pool, nothing else',
  );
  assert.ok(
    pooled.thread_ids.every((id) => !perRequest.thread_ids.includes(id)),
    'the pool used threads of its own',
  );
  assert.ok(
    pooled.requests_per_second > perRequest.requests_per_second,
    `pooled ${pooled.requests_per_second}/s, per request ${perRequest.requests_per_second}/s`,
  );
  assert.ok(speedup.throughput > 1 && speedup.connect_cost_ms > 0);
  assert.equal(report.thread_id_source, 'CONNECTION_ID()');
  assert.equal(report.interrupted, false);
  assert.deepEqual(Object.keys(perRequest.latency_ms ?? {}), ['p50', 'p95', 'p99', 'mean', 'min', 'max']);
  const latency = perRequest.latency_ms;
  assert.ok(
    latency && latency.min <= latency.p50 && latency.p50 <= latency.p95 && latency.p95 <= latency.p99,
  );
  assert.equal(report.server.user, USER);
  assert.equal(report.server.flavor, 'MariaDB');
  assert.equal(await connectionsLeft(admin, USER), 0);
});

test('thread ids are server connection ids, all opened during the run', async () => {
  // Connection ids count up: a connection opened just before the run and one just after bound the run's.
  const idOfNewConnection = async () => {
    const probe = await adminConnection(server);
    const [rows] = await probe.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    await probe.end();
    return Number(rows[0]?.id);
  };
  const first = await idOfNewConnection();
  const { report } = await bench({ requests: 20, concurrency: 2 });
  const last = await idOfNewConnection();
  assert.ok(report?.per_request && report.pooled);
  const ids = [...report.per_request.thread_ids, ...report.pooled.thread_ids];
  assert.equal(new Set(ids).size, 20 + report.pooled.thread_ids.length, 'no thread id answered twice');
  for (const id of ids)
    assert.ok(Number.isInteger(id) && id > first && id < last, `thread id ${id} not in (${first}, ${last})`);
  assert.ok(
    Math.min(...report.pooled.thread_ids) > Math.max(...report.per_request.thread_ids),
    'the pool opened after the per-request run',
  );
});

test('PREFERRED TLS settles once: still exactly one server connection per request', async () => {
  const [rows] = await admin.query<RowDataPacket[]>("SHOW GLOBAL VARIABLES LIKE 'have_ssl'");
  const serverHasTls = rows[0]?.Value === 'YES';
  const { report } = await bench({ requests: 60, concurrency: 2 }, { sslMode: 'PREFERRED' });
  assert.ok(report?.per_request);
  assert.equal(report.server.tls, serverHasTls);
  // A TLS attempt that failed and was retried would show as a second connection a request.
  assertOpenedAbout(report.per_request.connections_opened, 60, 'PREFERRED');
});

test('a custom --query takes thread ids from the handshake; the table view has no escape codes off a terminal', async () => {
  const { report } = await bench({ requests: 30, concurrency: 3, query: 'SELECT 1 + 1' });
  assert.equal(report?.thread_id_source, 'handshake');
  assert.equal(report?.per_request?.thread_ids.length, 30);
  assert.equal(report?.query, 'SELECT 1 + 1');
  const table = await bench({ requests: 30, concurrency: 3, json: false });
  assert.equal(table.code, ExitCode.ok);
  assert.match(table.stdout, /per request\s+│\s+pooled/);
  assert.match(table.stdout, /connections opened\s+│\s+30\s+│/);
  assert.match(table.stdout, /Pooled connections served [\d.]+x the requests per second/);
  assert.match(table.stdout, /without TLS/);
  assert.equal(hasEscapeCodes(table.stdout + table.stderr), false);
  assert.equal(table.stderr, '', 'no progress bar off a terminal');
});

test('beyond the safe plan it refuses before opening any bench connection; --yes runs it', async () => {
  const limits = { ...SAFE_LIMITS, requests: 10 };
  const before = await benchUser.connectionsMade();
  await assert.rejects(
    bench({ requests: 11, concurrency: 1, limits }),
    (err: unknown) =>
      err instanceof UserError &&
      err.exitCode === ExitCode.usage &&
      /--requests 11 .* more than the 10 .* Nothing was measured\. Run again with --yes/.test(err.message),
  );
  assert.equal(
    (await benchUser.connectionsMade()) - before,
    1,
    'only the connection that read max_connections',
  );
  const yes = await bench({ requests: 11, concurrency: 1, limits, yes: true });
  assertOpenedAbout(yes.report?.per_request?.connections_opened, 11, '--yes');
  assert.equal(yes.report?.per_request?.thread_ids.length, 11);
});

test('a warm-up faster than the safe rate stops before the measured runs', async () => {
  const before = await benchUser.connectionsMade();
  await assert.rejects(
    bench({ requests: 50, concurrency: 2, limits: { ...SAFE_LIMITS, connectionsPerSecond: 1 } }),
    (err: unknown) =>
      err instanceof UserError &&
      err.exitCode === ExitCode.usage &&
      /connections per second/.test(err.message),
  );
  // The monitor, the probe that settles TLS, and the warm-up: nothing of the measured runs.
  assert.equal((await benchUser.connectionsMade()) - before, 2 + warmUpRequests(2));
  assert.equal(await connectionsLeft(admin, USER), 0);
});

test('an abort during the pooled run closes the pool and reports what ran, exit code 130', async () => {
  const { io, captured } = memoryIO();
  const stop = new AbortController();
  // The progress bar is drawn on a terminal only; its first "pooled" line is the cue to stop.
  io.stderr = {
    isTTY: true,
    write: (text: string) => {
      if (text.includes('pooled')) stop.abort();
      return true;
    },
  };
  const target = tcpTarget(server, io, { user: USER, password: PASSWORD });
  const code = await runBench(options({ requests: 1000, concurrency: 4, signal: stop.signal }), io, target);
  assert.equal(code, ExitCode.interrupted);
  const report = JSON.parse(captured.stdout) as BenchReport;
  assert.equal(report.interrupted, true);
  assert.equal(report.per_request?.requests, 1000);
  assert.ok(report.pooled && report.pooled.requests < 1000, `pooled ran ${report.pooled?.requests}`);
  assert.equal(report.speedup, null);
  assert.equal(await connectionsLeft(admin, USER), 0);
});

test('a run longer than the server wait_timeout: the idle monitor is not closed under it', async () => {
  // New connections get 1 s; each measured run takes about 2 s, through which the monitor idles.
  await admin.query('SET GLOBAL wait_timeout = 1');
  try {
    const { code, report } = await bench({ requests: 40, concurrency: 2, query: 'SELECT SLEEP(0.1)' });
    assert.equal(code, ExitCode.ok);
    assert.ok(report?.per_request && report.pooled);
    assert.ok(report.per_request.seconds > 1.5, `the run took ${report.per_request.seconds} s`);
    assert.equal(report.per_request.requests, 40);
    assert.equal(report.pooled.requests, 40);
  } finally {
    await admin.query('SET GLOBAL wait_timeout = DEFAULT');
  }
});

test('the --yes help names the limits it lifts, from the limits themselves', () => {
  assert.equal(
    yesDescription(SAFE_LIMITS),
    `Run even beyond the safe limits (${SAFE_LIMITS.requests} connections, ${SAFE_LIMITS.concurrency} at once, ${SAFE_LIMITS.connectionsPerSecond} per second, 50 % of the free slots)`,
  );
  assert.match(
    yesDescription({ requests: 7, concurrency: 3, connectionsPerSecond: 9, shareOfFreeSlots: 0.25 }),
    /\(7 connections, 3 at once, 9 per second, 25 % of the free slots\)$/,
  );
});

test('a query the server rejects is a server error, and leaves no connection behind', async () => {
  await assert.rejects(
    bench({ query: 'SELEC 1' }),
    (err: unknown) =>
      err instanceof UserError &&
      err.exitCode === ExitCode.server &&
      /rejected the bench query: .*syntax/.test(err.message),
  );
  assert.equal(await connectionsLeft(admin, USER), 0);
});

test('a connection refused mid-run (max_user_connections) is a connection error, and the rest are closed', async () => {
  await admin.query(`ALTER USER '${USER}'@'%' WITH MAX_USER_CONNECTIONS 3`);
  try {
    await assert.rejects(
      bench({ requests: 100, concurrency: 4 }),
      (err: unknown) =>
        err instanceof UserError &&
        err.exitCode === ExitCode.connection &&
        /max_user_connections/.test(err.message),
    );
    assert.equal(await connectionsLeft(admin, USER), 0);
  } finally {
    await admin.query(`ALTER USER '${USER}'@'%' WITH MAX_USER_CONNECTIONS 0`);
  }
});

test('the CLI end to end: --json parses; invalid counts are usage errors', async () => {
  const flags = [...cliFlags(server, USER)];
  const json = await runCli(['bench', ...flags, '-n', '40', '-c', '2', '--json'], { MYSQL_PWD: PASSWORD });
  assert.equal(json.code, ExitCode.ok, json.stderr);
  const report = JSON.parse(json.stdout) as BenchReport;
  assertOpenedAbout(report.per_request?.connections_opened, 40, 'the CLI');
  assert.equal(report.per_request?.thread_ids.length, 40);
  assert.equal(report.concurrency, 2);
  assert.doesNotMatch(json.stdout + json.stderr, new RegExp(PASSWORD));
  for (const [args, message] of [
    [['-n', '0'], /--requests takes a whole number from 1 to 1000000; "0" is not one/],
    [['-c', 'many'], /--concurrency takes a whole number .* "many" is not one/],
    [['-n', '2.5'], /--requests takes a whole number/],
    [['-n', '3', '-c', '5'], /--concurrency 5 is more than --requests 3/],
    [['--query', ' '], /--query is empty/],
  ] as const) {
    const bad = await runCli(['bench', ...flags, ...args], { MYSQL_PWD: PASSWORD });
    assert.equal(bad.code, ExitCode.usage, `${args.join(' ')}: ${bad.stderr}`);
    assert.match(bad.stderr, message);
    assert.equal(bad.stdout, '');
  }
});
