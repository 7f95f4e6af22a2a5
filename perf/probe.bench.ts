import { userInfo } from 'node:os';
import { createConnection } from 'mysql2/promise';
import { runProbeIdle } from '../src/commands/probe-idle/index.ts';
import type { ProbeIdleReport } from '../src/commands/probe-idle/report.ts';
import { startHaproxy } from '../test/helpers/haproxy.ts';
import { memoryIO } from '../test/helpers/io.ts';
import { createFirewalledNamespace } from '../test/helpers/netns.ts';
import { startTestServer, type TestServer } from '../test/helpers/server.ts';
import { tcpTarget } from '../test/helpers/target.ts';
import type { Bench } from './run.ts';

/** Long enough that the ping deadline and the 1 s floor do not dominate; short enough to run often. */
const LIMIT_S = 20;

async function probe(server: TestServer, host: string, port: number): Promise<ProbeIdleReport> {
  const { io, captured } = memoryIO();
  let report: ProbeIdleReport | undefined;
  await runProbeIdle({ max: 120, probes: 12, json: true }, io, tcpTarget({ ...server, host, port }, io), {
    onReport: (made) => (report = made),
  });
  if (!report) throw new Error(`probe-idle did not report: ${captured.stderr}`);
  return report;
}

function line(name: string, report: ProbeIdleReport): string {
  const { limit, run } = report;
  const lower = limit?.lower_seconds ?? 0;
  const upper = limit?.upper_seconds ?? 0;
  const known = run.bracket_known_seconds ?? run.elapsed_seconds;
  return `  ${name.padEnd(34)} ${report.verdict.padEnd(20)} ${lower}–${upper} s (${(((upper - lower) / LIMIT_S) * 100).toFixed(0)} %)   bracket known at ${(known / LIMIT_S).toFixed(2)}x, whole run ${(run.elapsed_seconds / LIMIT_S).toFixed(2)}x the limit   ${run.connections_used} connections`;
}

/**
 * Issue 13's cost goal: a run takes at most 1.3x the measured limit for a 10 % bracket, with a
 * few connections. Three real paths with a 20 s limit: the server's own wait_timeout, HAProxy
 * (closes), and a conntrack firewall in a network namespace (black-holes; needs root).
 */
const bench: Bench = {
  title: 'probe-idle: wall time against the measured limit',
  async run(server: TestServer) {
    console.log(`limit ${LIMIT_S} s on each path; ratios are wall time / limit\n`);
    const own = await startTestServer({ args: [`--wait-timeout=${LIMIT_S}`] });
    try {
      console.log(line('server wait_timeout', await probe(own, own.host, own.port)));
    } finally {
      await own.stop();
    }
    const proxy = await startHaproxy({ host: server.host, port: server.port }, LIMIT_S * 1000);
    try {
      console.log(line('HAProxy timeout client/server', await probe(server, proxy.host, proxy.port)));
    } finally {
      await proxy.stop();
    }
    if (userInfo().uid !== 0) {
      console.log('  conntrack firewall: skipped (needs root for the network namespace)');
      return;
    }
    const namespace = await createFirewalledNamespace({ establishedTimeout: LIMIT_S });
    try {
      const inside = await startTestServer({
        launcher: namespace.launcher,
        args: ['--bind-address=0.0.0.0', '--skip-name-resolve'],
      });
      try {
        const admin = await createConnection({ socketPath: inside.socket, user: 'root' });
        await admin.query("CREATE USER 'root'@'%'");
        await admin.query("GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION");
        await admin.end();
        console.log(
          line('conntrack firewall (netns)', await probe(inside, namespace.innerAddress, inside.port)),
        );
      } finally {
        await inside.stop();
      }
    } finally {
      await namespace.remove();
    }
  },
};

export default bench;
