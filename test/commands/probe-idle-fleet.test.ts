/**
 * probe-idle over a fleet, against real components: a server whose wait_timeout (5 s) is the
 * first limit, the same server behind a real HAProxy that closes idle connections after 2 s,
 * and a port where nothing listens. The OpenMetrics output is checked by promtool and exported
 * by the real node_exporter beside check-timeout's, from one textfile directory.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import { createConnection } from 'mysql2/promise';
import type { ProbeFleetReport } from '../../src/commands/probe-idle/fleet.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { type Haproxy, startHaproxy } from '../helpers/haproxy.ts';
import { promtool, scrapeTextfiles } from '../helpers/prometheus.ts';
import { freePort, startTestServer, type TestServer } from '../helpers/server.ts';
import { otherConnectionsLeft } from '../helpers/server-state.ts';
import { runCli, startCli } from '../helpers/target.ts';

const WAIT_TIMEOUT = 5;
const PROXY_TIMEOUT = 2;
let server: TestServer;
let proxy: Haproxy;
let admin: Connection;
let downPort: number;
let dir: string;
let targetsFile: string;
let direct: string;
let throughProxy: string;
let down: string;

before(async () => {
  server = await startTestServer({ args: [`--wait-timeout=${WAIT_TIMEOUT}`] });
  proxy = await startHaproxy({ host: server.host, port: server.port }, PROXY_TIMEOUT * 1000);
  admin = await createConnection({ socketPath: server.socket, user: 'root' });
  await admin.query('SET SESSION wait_timeout = 3600');
  downPort = await freePort();
  [direct, throughProxy, down] = [server.port, proxy.port, downPort].map((port) => `127.0.0.1:${port}`) as [
    string,
    string,
    string,
  ];
  dir = await mkdtemp(join(tmpdir(), 'dbcache-probe-fleet-'));
  targetsFile = join(dir, 'fleet.txt');
  await writeFile(
    targetsFile,
    [
      '# the server, the same server through HAProxy, and nothing',
      direct,
      `${throughProxy}  # HAProxy`,
      down,
    ].join('\n'),
  );
});
after(async () => {
  await admin?.end();
  await proxy?.stop();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const login = ['--no-defaults', '-u', 'root', '--ssl-mode', 'DISABLED', '--connect-timeout', '3'];
const dots = (text: string) => text.replace(/[.]/g, '\\.');

/**
 * Connections other than the admin's own: what a run could leave behind. The last ones a run
 * ended may still be closing; a second is far under the 5 s in which the server would end a
 * forgotten one by itself. Patience 0: the count now.
 */
function othersOnServer(patienceMs = 1000): Promise<number> {
  return otherConnectionsLeft(admin, patienceMs);
}

test('a row a server, a summary by verdict, JSON with the single-server report, metrics beside check-timeout', async () => {
  // The three outputs at once: each run probes the server and the proxy at the same time.
  const [table, json, metrics] = await Promise.all([
    runCli(['probe-idle', '--targets', targetsFile, '--max', '20', ...login]),
    runCli(['probe-idle', '--targets', targetsFile, '--max', '20', '--json', ...login]),
    runCli(
      ['probe-idle', '--targets', '-', '--max', '20', '--format', 'openmetrics', ...login],
      {},
      `${direct}\n${throughProxy}\n`,
    ),
  ]);

  // Exit 3: one server could not be reached, which outranks the proxy's early cut.
  assert.equal(table.code, ExitCode.connection, table.stderr);
  assert.match(table.stdout, /^dbcache probe-idle: 3 servers, 3 at a time, silences up to 20 s each/m);
  assert.match(
    table.stdout,
    new RegExp(
      `^\\[0:\\d\\d\\] ${dots(throughProxy)}: something in between closes idle connections after`,
      'm',
    ),
  );
  assert.match(
    table.stdout,
    new RegExp(`^\\[0:\\d\\d\\] ${dots(down)}: could not be probed \\(below\\)`, 'm'),
  );
  assert.match(table.stdout, new RegExp(`${dots(direct)} .* ${WAIT_TIMEOUT} s .* the server `));
  assert.match(
    table.stdout,
    new RegExp(`${dots(throughProxy)} .* ${WAIT_TIMEOUT} s .* between: closes .* does not help`),
  );
  assert.match(table.stdout, new RegExp(`${dots(down)} .*unreachable`));
  assert.match(table.stdout, new RegExp(`${dots(down)}: Could not connect`));
  assert.match(
    table.stdout,
    new RegExp(
      `3 servers: 1 cut first by the server; 1 closed first by something in between: ${dots(throughProxy)}; 1 unreachable: ${dots(down)}\\.`,
    ),
  );
  assert.match(
    table.stdout,
    new RegExp(
      `A pool that reaches all of them: dbcache generate <framework> --timeout 1 \\(set by ${dots(throughProxy)}\\)`,
    ),
  );

  assert.equal(json.code, ExitCode.connection, json.stderr);
  const report = JSON.parse(json.stdout) as ProbeFleetReport;
  const [first, second, third] = report.servers;
  assert.equal(first?.target, direct);
  assert.equal(first?.report?.verdict, 'server');
  assert.ok(
    (first?.report?.limit?.lower_seconds ?? 99) <= WAIT_TIMEOUT &&
      WAIT_TIMEOUT <= (first?.report?.limit?.upper_seconds ?? 0),
    JSON.stringify(first?.report?.limit),
  );
  assert.equal(second?.origin, `${targetsFile} line 3`);
  assert.equal(second?.report?.verdict, 'closed-between');
  assert.ok(
    (second?.report?.limit?.lower_seconds ?? 99) <= PROXY_TIMEOUT &&
      PROXY_TIMEOUT <= (second?.report?.limit?.upper_seconds ?? 0),
    JSON.stringify(second?.report?.limit),
  );
  assert.equal(third?.report, null);
  assert.equal(third?.error?.kind, 'unreachable');
  assert.equal(third?.error?.exit_code, ExitCode.connection);
  assert.deepEqual(report.summary.cut_between, [throughProxy]);
  assert.deepEqual(report.summary.unreachable, [down]);
  // Equal groups: the server first (what should happen), then what needs a look.
  assert.deepEqual(
    report.summary.by_verdict.map(({ verdict, count }) => [verdict, count]),
    [
      ['server', 1],
      ['closed-between', 1],
    ],
  );
  assert.deepEqual(report.summary.lowest_timeout, {
    timeout: second?.report?.advice.timeout,
    targets: [throughProxy],
  });

  // Every server answered: exit 1, something in between cuts first.
  assert.equal(metrics.code, ExitCode.checkFailed, metrics.stderr);
  assert.match(
    metrics.stdout,
    new RegExp(`dbcache_path_cut_between\\{instance="${dots(throughProxy)}",verdict="closed-between"\\} 1`),
  );
  assert.match(
    metrics.stdout,
    new RegExp(`dbcache_path_cut_between\\{instance="${dots(direct)}",verdict="server"\\} 0`),
  );
  assert.match(metrics.stdout, new RegExp(`dbcache_path_probe_up\\{instance="${dots(direct)}"\\} 1`));
  const lint = await promtool(['check', 'metrics'], metrics.stdout);
  assert.equal(lint.code, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);

  // One textfile directory for both commands: the names do not collide, so node_exporter exports both.
  const timeouts = await runCli([
    'check-timeout',
    '--url',
    direct,
    '--url',
    throughProxy,
    '--format',
    'openmetrics',
    ...login,
  ]);
  assert.equal(timeouts.code, ExitCode.ok, timeouts.stderr);
  const textfiles = join(dir, 'textfile');
  await mkdir(textfiles);
  await writeFile(join(textfiles, 'dbcache-timeouts.prom'), timeouts.stdout);
  await writeFile(join(textfiles, 'dbcache-paths.prom'), metrics.stdout);
  const scraped = await scrapeTextfiles(textfiles, 'dbcache_path_probe_up');
  assert.match(scraped, /node_textfile_scrape_error 0/);
  assert.match(scraped, new RegExp(`dbcache_up\\{instance="${dots(direct)}"\\} 1`));
  assert.match(
    scraped,
    new RegExp(`dbcache_path_cut_between\\{instance="${dots(throughProxy)}",verdict="closed-between"\\} 1`),
  );

  assert.equal(await othersOnServer(), 0, 'no probe connection is left on the server');
});

test('--format openmetrics for one server that cannot be reached: a 0 gauge, exit 3', async () => {
  const result = await runCli([
    'probe-idle',
    '-h',
    '127.0.0.1',
    '-P',
    String(downPort),
    '--format',
    'openmetrics',
    ...login,
  ]);
  assert.equal(result.code, ExitCode.connection, result.stderr);
  assert.match(result.stdout, new RegExp(`^dbcache_path_probe_up\\{instance="${dots(down)}"\\} 0$`, 'm'));
  assert.match(
    result.stderr,
    /^dbcache: \S+: Could not connect to the server at .*: connection refused/m,
    'why it is 0',
  );
});

test('a bad target is a usage error before anything connects', async () => {
  const result = await runCli([
    'probe-idle',
    '--url',
    `mysql://root@${direct}`,
    '--url',
    'http://elsewhere/',
    ...login,
  ]);
  assert.equal(result.code, ExitCode.usage);
  assert.match(result.stderr, /--url #2: "http:\/\/elsewhere\/" is not a mysql:\/\/ or mariadb:\/\/ URL/);
  assert.equal(await othersOnServer(), 0);
});

test('Ctrl-C: what is known for the server under way, the rest not checked, exit 130, no probe left', async () => {
  await admin.query('SET GLOBAL wait_timeout = 600');
  try {
    const { child, output, exited } = startCli([
      'probe-idle',
      '--url',
      `mysql://root@${direct}`,
      '--url',
      `mysql://root@${throughProxy}`,
      '--parallel',
      '1',
      '--json',
      ...login,
    ]);
    const deadline = Date.now() + 30_000;
    while ((await othersOnServer(0)) < 13 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const pressed = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    assert.ok(Date.now() - pressed < 5000, 'the run ends promptly after Ctrl-C');
    assert.equal(code, ExitCode.interrupted);
    const report = JSON.parse(output.stdout) as ProbeFleetReport;
    assert.equal(report.servers.length, 1);
    assert.equal(report.servers[0]?.report?.complete, false);
    assert.equal(report.servers[0]?.report?.verdict, 'interrupted');
    assert.ok((report.servers[0]?.report?.bracket.survived_seconds ?? 0) >= 1);
    assert.deepEqual(report.summary.not_checked, [`mysql://root@${throughProxy}`]);
    assert.equal(await othersOnServer(), 0, 'no probe connection is left on the server');
  } finally {
    await admin.query(`SET GLOBAL wait_timeout = ${WAIT_TIMEOUT}`);
  }
});
