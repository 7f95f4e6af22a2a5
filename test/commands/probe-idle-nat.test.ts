/**
 * probe-idle through a silent NAT / stateful firewall: the server runs in a network namespace
 * reached over a veth pair, where nftables drops `ct state invalid` packets, TCP tracking is
 * strict and established flows are forgotten after 4 s of silence. Needs root (CI runs as root).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import { createConnection } from 'mysql2/promise';
import { runCheckTimeout } from '../../src/commands/check-timeout/index.ts';
import { runProbeIdle } from '../../src/commands/probe-idle/index.ts';
import type { ProbeIdleReport } from '../../src/commands/probe-idle/report.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { memoryIO } from '../helpers/io.ts';
import { createFirewalledNamespace, type Namespace } from '../helpers/netns.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { otherConnectionsLeft } from '../helpers/server-state.ts';
import { tcpTarget } from '../helpers/target.ts';

const CONNTRACK_TIMEOUT_S = 4;
let namespace: Namespace;
let server: TestServer;
let admin: Connection;

before(async () => {
  namespace = await createFirewalledNamespace({ establishedTimeout: CONNTRACK_TIMEOUT_S });
  server = await startTestServer({
    launcher: namespace.launcher,
    // Inside the namespace: its loopback and its end of the veth pair only.
    args: ['--bind-address=0.0.0.0', '--skip-name-resolve'],
  });
  admin = await createConnection({ socketPath: server.socket, user: 'root' });
  await admin.query("CREATE USER 'root'@'%'");
  await admin.query("GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION");
});
after(async () => {
  await admin?.end();
  await server?.stop();
  await namespace?.remove();
});

const overTheVeth = (io: ReturnType<typeof memoryIO>['io']) =>
  tcpTarget({ ...server, host: namespace.innerAddress }, io);

test('a conntrack firewall forgets idle flows silently: black-holed in between, keepalive keeps the flow, exit 1', async () => {
  const { io, captured } = memoryIO();
  let report: ProbeIdleReport | undefined;
  const code = await runProbeIdle({ max: 60, probes: 12, json: false }, io, overTheVeth(io), {
    onReport: (made) => (report = made),
  });
  assert.ok(report, captured.stderr);
  assert.equal(code, ExitCode.checkFailed, captured.stdout);
  assert.equal(report.verdict, 'black-holed-between');
  assert.ok(report.limit);
  assert.equal(report.limit.component, 'between');
  assert.equal(report.limit.kind, 'black-holed');
  // The server still held the connections the probes had lost, so dbcache ended them.
  assert.equal(report.limit.evidence, 'server-still-had-it');
  assert.ok(report.run.ended_on_server.length > 0);
  assert.ok(
    report.limit.lower_seconds <= CONNTRACK_TIMEOUT_S && CONNTRACK_TIMEOUT_S <= report.limit.upper_seconds,
    `${CONNTRACK_TIMEOUT_S} s in ${report.limit.lower_seconds}–${report.limit.upper_seconds}`,
  );
  assert.ok(
    report.limit.upper_seconds - report.limit.lower_seconds <= 1.2,
    `narrowed to about a second: ${JSON.stringify(report.probes)}`,
  );
  // TCP keepalives refresh the conntrack entry: the keepalive probe went through a longer silence.
  assert.equal(report.keepalive?.outcome, 'alive');
  assert.ok((report.keepalive?.idle_seconds ?? 0) > report.limit.upper_seconds);
  assert.equal(report.advice.keepalive, 'needed');
  assert.match(captured.stdout, /BLACK-HOLES idle connections/);
  assert.match(captured.stdout, /TCP keepalive kept a connection through it/);
  // The server's wait_timeout is hours: a forgotten probe would still be listed after 10 s.
  assert.equal(await otherConnectionsLeft(admin, 10_000), 0, 'no probe connection is left on the server');
  // Nor in this process: a probe closed with a FIN the black hole swallows would linger for minutes.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap'),
    [],
    'no TCP socket left open',
  );
});

test('check-timeout over TCP to a host that is not this machine points at probe-idle', async () => {
  const { io, captured } = memoryIO();
  await runCheckTimeout({ json: false }, io, overTheVeth(io), null);
  assert.match(captured.stdout, /only one limit.*\n.*dbcache probe-idle/);
});
