/**
 * probe-idle through a real load balancer: HAProxy in TCP mode with `timeout client` and
 * `timeout server` of 3 s in front of a server whose wait_timeout is the default 8 h.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import { createConnection } from 'mysql2/promise';
import { runProbeIdle } from '../../src/commands/probe-idle/index.ts';
import type { ProbeIdleReport } from '../../src/commands/probe-idle/report.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { type Haproxy, startHaproxy } from '../helpers/haproxy.ts';
import { memoryIO } from '../helpers/io.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { otherConnectionsLeft } from '../helpers/server-state.ts';
import { tcpTarget } from '../helpers/target.ts';

const PROXY_TIMEOUT_S = 3;
let server: TestServer;
let proxy: Haproxy;
let admin: Connection;

before(async () => {
  server = await startTestServer();
  proxy = await startHaproxy({ host: server.host, port: server.port }, PROXY_TIMEOUT_S * 1000);
  admin = await createConnection({ socketPath: server.socket, user: 'root' });
});
after(async () => {
  await admin?.end();
  await proxy?.stop();
  await server?.stop();
});

test('HAProxy closes idle connections after its timeout: cut in between, closed, keepalive does not help, exit 1', async () => {
  const { io, captured } = memoryIO();
  let report: ProbeIdleReport | undefined;
  const code = await runProbeIdle(
    { max: 60, probes: 12, json: false },
    io,
    tcpTarget({ ...server, host: proxy.host, port: proxy.port }, io),
    { onReport: (made) => (report = made) },
  );
  assert.ok(report, captured.stderr);
  assert.equal(code, ExitCode.checkFailed, captured.stdout);
  assert.equal(report.verdict, 'closed-between');
  assert.equal(report.server.wait_timeout, 28800);
  assert.ok(report.limit);
  assert.equal(report.limit.component, 'between');
  assert.equal(report.limit.kind, 'closed');
  assert.ok(
    report.limit.lower_seconds <= PROXY_TIMEOUT_S && PROXY_TIMEOUT_S <= report.limit.upper_seconds,
    `${PROXY_TIMEOUT_S} s in ${report.limit.lower_seconds}–${report.limit.upper_seconds}`,
  );
  // HAProxy counts only data: the probe that sent TCP keepalives every second was closed as well.
  assert.equal(report.keepalive?.outcome, 'closed');
  assert.equal(report.keepalive?.keeps_flow, false);
  assert.equal(report.advice.keepalive, 'does-not-help');
  assert.equal(report.advice.timeout, 2);
  assert.match(captured.stdout, /Something in between CLOSES idle connections after 2\.\d–3\.\d s/);
  assert.match(captured.stdout, /dbcache generate <framework> --timeout 2/);
  assert.match(captured.stdout, /TCP keepalive did not keep a connection through it/);

  // The server did not time them out: its wait_timeout is 8 h, and its log says the client side
  // went away (HAProxy closes both sides), not that the server gave up waiting.
  const log = await readFile(server.errorLog as string, 'utf8');
  assert.doesNotMatch(log, /Got timeout reading communication packets/);
  // The server's wait_timeout is hours: a forgotten probe would still be listed after 10 s.
  assert.equal(await otherConnectionsLeft(admin, 10_000), 0, 'no probe connection is left on the server');
});
