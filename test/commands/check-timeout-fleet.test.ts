/**
 * check-timeout over a fleet, against real servers: the suite's server changed by SET GLOBAL
 * only, a second throwaway server left at its defaults, and a port where nothing listens. The
 * OpenMetrics output is checked by promtool and scraped through the real node_exporter.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import type { TimeoutFleetReport } from '../../src/commands/check-timeout/fleet.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { promtool, scrapeTextfiles } from '../helpers/prometheus.ts';
import { freePort, sharedServer, startTestServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, cliEnv, runCli, startCli } from '../helpers/target.ts';

let changed: TestServer;
let defaults: TestServer;
let admin: Connection;
let downPort: number;
let dir: string;
let targetsFile: string;

before(async () => {
  [changed, defaults] = await Promise.all([sharedServer(), startTestServer()]);
  admin = await adminConnection(changed);
  await admin.query('SET GLOBAL wait_timeout = 600');
  downPort = await freePort();
  dir = await mkdtemp(join(tmpdir(), 'dbcache-fleet-'));
  targetsFile = join(dir, 'fleet.txt');
  await writeFile(
    targetsFile,
    [
      '# a fleet of three',
      `127.0.0.1:${changed.port}`,
      `mysql://${defaults.user}@127.0.0.1:${defaults.port}   # left at its defaults`,
      '',
      `127.0.0.1:${downPort}`,
    ].join('\n'),
  );
});
after(async () => {
  await admin.query('SET GLOBAL wait_timeout = DEFAULT');
  await admin.end();
  await defaults.stop();
  await rm(dir, { recursive: true, force: true });
});

const login = (server: TestServer) => [
  '--no-defaults',
  '-u',
  server.user,
  '--ssl-mode',
  'DISABLED',
  '--connect-timeout',
  '3',
];

test('one row a server, a summary by value, and exit 3 when one is unreachable', async () => {
  const result = await runCli(['check-timeout', '--targets', targetsFile, ...login(changed)], {
    MYSQL_PWD: changed.password,
  });
  assert.equal(result.code, ExitCode.connection, result.stderr);
  assert.match(result.stdout, new RegExp(`127\\.0\\.0\\.1:${changed.port} .*600 s`));
  assert.match(result.stdout, new RegExp(`127\\.0\\.0\\.1:${defaults.port} .*28800 s`));
  assert.match(result.stdout, new RegExp(`127\\.0\\.0\\.1:${downPort} .*unreachable`));
  assert.match(result.stdout, new RegExp(`127\\.0\\.0\\.1:${downPort}: Could not connect`));
  // The largest group leads and is not named; the minority and the unreachable one are.
  assert.match(
    result.stdout,
    new RegExp(
      `3 servers: 1 at (600|28800) s; 1 at (600|28800) s: \\S+; 1 unreachable: 127\\.0\\.0\\.1:${downPort}\\.`,
    ),
  );
});

test('--json: the single-server report per server, an error object for the unreachable one, the summary', async () => {
  const result = await runCli(
    ['check-timeout', '--targets', targetsFile, '--expect', '600', '--json', ...login(changed)],
    { MYSQL_PWD: changed.password },
  );
  assert.equal(result.code, ExitCode.connection, 'unreachable outranks a failed expectation');
  const report = JSON.parse(result.stdout) as TimeoutFleetReport;
  assert.deepEqual(
    report.servers.map((entry) => [
      entry.origin,
      entry.report?.global.wait_timeout ?? null,
      entry.error?.kind ?? null,
    ]),
    [
      [`${targetsFile} line 2`, 600, null],
      [`${targetsFile} line 3`, 28800, null],
      [`${targetsFile} line 5`, null, 'unreachable'],
    ],
  );
  assert.equal(report.servers[2]?.error?.exit_code, ExitCode.connection);
  assert.equal(report.summary.checked, 2);
  assert.deepEqual(report.summary.not_as_expected, [`mysql://${defaults.user}@127.0.0.1:${defaults.port}`]);
  assert.deepEqual(
    report.summary.by_wait_timeout.map((group) => group.wait_timeout).sort(),
    [28800, 600].sort(),
  );
});

test('exit 1 when every server answers and one differs from --expect; 0 when all match', async () => {
  const urls = [
    `mysql://${changed.user}@127.0.0.1:${changed.port}`,
    `mysql://${defaults.user}@127.0.0.1:${defaults.port}`,
  ];
  const both = await runCli(
    [
      'check-timeout',
      '--url',
      urls[0] as string,
      '--url',
      urls[1] as string,
      '--expect',
      '600',
      ...login(changed),
    ],
    {
      MYSQL_PWD: changed.password,
    },
  );
  assert.equal(both.code, ExitCode.checkFailed, both.stderr);
  assert.match(both.stdout, /1 not as expected/);
  const one = await runCli(
    [
      'check-timeout',
      '--url',
      urls[0] as string,
      // The same server under another name (one name twice is refused).
      '--url',
      `127.0.0.1:${changed.port}`,
      '--expect',
      '10m',
      ...login(changed),
    ],
    {
      MYSQL_PWD: changed.password,
    },
  );
  assert.equal(one.code, ExitCode.ok, one.stderr);
});

test('bad lines are reported with file and line before anything connects (exit 2)', async () => {
  const bad = join(dir, 'bad.txt');
  await writeFile(bad, `127.0.0.1:${changed.port}\ndb one\npostgres://x@y\n127.0.0.1:0\n`);
  const result = await runCli(['check-timeout', '--targets', bad, ...login(changed)]);
  assert.equal(result.code, ExitCode.usage);
  assert.match(result.stderr, /3 targets are not usable; nothing was checked/);
  for (const line of [2, 3, 4]) assert.match(result.stderr, new RegExp(`${bad} line ${line}:`));
  // The same server twice (its metrics would repeat a series): refused, naming both places.
  const twice = join(dir, 'twice.txt');
  await writeFile(twice, `127.0.0.1:${changed.port}\n# again:\n127.0.0.1:${changed.port}\n`);
  const repeated = await runCli([
    'check-timeout',
    '--targets',
    twice,
    '--url',
    `127.0.0.1:${changed.port}`,
    ...login(changed),
  ]);
  assert.equal(repeated.code, ExitCode.usage, repeated.stderr);
  assert.match(repeated.stderr, /2 targets are not usable; nothing was checked/);
  assert.match(
    repeated.stderr,
    new RegExp(`${twice} line 3: "127\\.0\\.0\\.1:${changed.port}" is named already \\(${twice} line 1\\)`),
  );
  assert.match(repeated.stderr, /--url #1: "127\.0\.0\.1:\d+" is named already/);
  // Not a list of servers at all: refused before it fills the memory.
  const endless = await runCli(['check-timeout', '--targets', '/dev/zero', ...login(changed)]);
  assert.equal(endless.code, ExitCode.usage, endless.stderr);
  assert.match(endless.stderr, /The targets file \/dev\/zero holds more than 16 MB/);
  const directory = await runCli(['check-timeout', '--targets', dir, ...login(changed)]);
  assert.equal(directory.code, ExitCode.file);
  assert.match(directory.stderr, /it is a directory/);
  const missing = await runCli(['check-timeout', '--targets', join(dir, 'nope.txt'), ...login(changed)]);
  assert.equal(missing.code, ExitCode.file);
  assert.match(missing.stderr, /does not exist/);
});

test('targets from standard input', async () => {
  const result = await runCli(
    ['check-timeout', '--targets', '-', '--json', ...login(changed)],
    { MYSQL_PWD: changed.password },
    `127.0.0.1:${changed.port}\n`,
  );
  assert.equal(result.code, ExitCode.ok, result.stderr);
  assert.equal(
    (JSON.parse(result.stdout) as TimeoutFleetReport).servers[0]?.report?.global.wait_timeout,
    600,
  );
});

test('--format openmetrics passes promtool, and node_exporter exports it through its textfile collector', async () => {
  const result = await runCli(
    [
      'check-timeout',
      '--targets',
      targetsFile,
      '--expect',
      '600',
      '--format',
      'openmetrics',
      ...login(changed),
    ],
    { MYSQL_PWD: changed.password },
  );
  assert.equal(result.code, ExitCode.connection);
  const metrics = result.stdout;
  assert.match(metrics, new RegExp(`dbcache_up\\{instance="127\\.0\\.0\\.1:${downPort}"\\} 0`));
  // Why it is 0 goes to standard error, as the table would show it.
  assert.match(
    result.stderr,
    new RegExp(
      `^dbcache: 127\\.0\\.0\\.1:${downPort}: Could not connect to the server at 127\\.0\\.0\\.1:${downPort}.*: connection refused`,
      'm',
    ),
  );
  assert.match(
    metrics,
    new RegExp(
      `dbcache_wait_timeout_seconds\\{instance="127\\.0\\.0\\.1:${changed.port}",scope="global"\\} 600`,
    ),
  );
  assert.match(
    metrics,
    /dbcache_finding\{instance="[^"]+",code="wait-timeout-default",severity="warning"\} 1/,
  );
  assert.match(metrics, /# EOF\n$/);
  const lint = await promtool(['check', 'metrics'], metrics);
  assert.equal(lint.code, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);

  const textfiles = join(dir, 'textfile');
  await rm(textfiles, { recursive: true, force: true });
  await mkdir(textfiles);
  await writeFile(join(textfiles, 'dbcache.prom'), metrics);
  const scraped = await scrapeTextfiles(textfiles, 'dbcache_up');
  assert.match(
    scraped,
    new RegExp(
      `dbcache_wait_timeout_seconds\\{instance="127\\.0\\.0\\.1:${changed.port}",scope="global"\\} 600`,
    ),
  );
  assert.match(scraped, /node_textfile_scrape_error 0/);
});

test('the example alert rules pass promtool check rules', async () => {
  const rules = await promtool([
    'check',
    'rules',
    new URL('../../docs/examples/dbcache-alerts.yml', import.meta.url).pathname,
  ]);
  assert.equal(rules.code, 0, `${rules.stdout}${rules.stderr}`);
  assert.match(rules.stdout, /SUCCESS: 3 rules found/);
});

test('Ctrl-C stops at once and prints what is known; a silent host holds only its own slot', async () => {
  // Hosts that accept connections and never say a word (a stalled server or a black hole).
  const silents = [createServer(() => undefined), createServer(() => undefined)];
  const [first, second] = await Promise.all(
    silents.map(async (silent) => {
      silent.listen(0, '127.0.0.1');
      await new Promise((resolve) => silent.once('listening', resolve));
      return (silent.address() as { port: number }).port;
    }),
  );
  const file = join(dir, 'stalled.txt');
  await writeFile(
    file,
    [`127.0.0.1:${first}`, `127.0.0.1:${changed.port}`, `127.0.0.1:${second}`].join('\n'),
  );
  /** A run stopped 2.5 s in, as Ctrl-C (SIGINT) or a `timeout` wrapper (SIGTERM) stops it. */
  const stopped = async (format: string[], signal: NodeJS.Signals) => {
    const { child, output, exited } = startCli(
      [
        'check-timeout',
        '--targets',
        file,
        '--parallel',
        '2',
        ...format,
        ...login(changed),
        '--connect-timeout',
        '30',
      ],
      { ...cliEnv(), MYSQL_PWD: changed.password },
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const pressed = Date.now();
      child.kill(signal);
      const code = await exited;
      return { code, ...output, ms: Date.now() - pressed };
    } finally {
      child.kill('SIGKILL');
    }
  };
  try {
    const [table, metrics] = await Promise.all([
      stopped([], 'SIGINT'),
      stopped(['--format', 'openmetrics'], 'SIGTERM'),
    ]);
    for (const run of [table, metrics]) {
      assert.ok(run.ms < 2000, 'the run ends promptly, not at the 60 s deadline');
      assert.equal(run.code, ExitCode.interrupted);
    }
    // The server that answered is reported; the silent ones are not checked.
    assert.match(table.stdout, new RegExp(`127\\.0\\.0\\.1:${changed.port} .*600 s`));
    assert.match(table.stdout, /2 not checked \(stopped\)/);
    // Metrics that would look complete without the servers not checked are not written at all.
    assert.equal(metrics.stdout, '');
    assert.match(metrics.stderr, /SIGTERM before every server was checked: no metrics were written/);
  } finally {
    for (const silent of silents) silent.close();
  }
});
