/**
 * Issue 16's scale goal: 1,000 servers checked by one `check-timeout --targets` run in under
 * 10 s on this machine, memory bounded. The fleet is the bench's real server plus protocol-level
 * MySQL 8 stand-ins (test/helpers/mysql8-fake.ts), each on its own 127.0.0.1 port, answering the
 * statements check-timeout sends. The comparison is a shell loop running the `mariadb` client
 * with one query per server, as a script would without dbcache.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FakeMysql8, startMysql8Fake } from '../test/helpers/mysql8-fake.ts';
import type { TestServer } from '../test/helpers/server.ts';
import type { Bench } from './run.ts';

const BIN = fileURLToPath(new URL('../bin/dbcache.js', import.meta.url));

/**
 * Wall time and peak resident memory of one command, through GNU time. Asynchronous: the
 * stand-ins answer from this process's event loop, which a synchronous spawn would block.
 */
function measure(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; peakMiB: number; code: number }> {
  const start = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', '%M', command, ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const peakKiB = Number(stderr.trim().split('\n').at(-1));
      resolve({ ms, peakMiB: peakKiB / 1024, code: code ?? -1 });
    });
  });
}

const bench: Bench = {
  title: 'check-timeout over a fleet: 100 and 1,000 servers',
  async run(server: TestServer) {
    const dir = await mkdtemp(join(tmpdir(), 'dbcache-fleet-bench-'));
    const fakes: FakeMysql8[] = [];
    try {
      for (let i = 0; i < 999; i++)
        fakes.push(await startMysql8Fake({ global: { wait_timeout: i % 10 ? '600' : '28800' } }));
      const lines = [`127.0.0.1:${server.port}`, ...fakes.map((fake) => `127.0.0.1:${fake.port}`)];
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, MYSQL_PWD: server.password };
      const login = ['--no-defaults', '-u', server.user, '--ssl-mode', 'DISABLED'];
      const rows: Array<[string, Awaited<ReturnType<typeof measure>>]> = [];
      for (const count of [100, 1000]) {
        const file = join(dir, `fleet-${count}.txt`);
        await writeFile(file, `${lines.slice(0, count).join('\n')}\n`);
        rows.push([
          `dbcache check-timeout, ${count} servers`,
          await measure(process.execPath, [BIN, 'check-timeout', '--targets', file, '--json', ...login], env),
        ]);
      }
      const client = ['mariadb', 'mysql'].find((name) => spawnSync(name, ['--version']).status === 0);
      if (client) {
        const loop = `while read target; do ${client} --no-defaults -h "\${target%:*}" -P "\${target##*:}" -u ${server.user} --skip-ssl -N -e 'SELECT @@global.wait_timeout' >/dev/null || exit 1; done < ${join(dir, 'fleet-1000.txt')}`;
        rows.push([`shell loop of ${client}, 1000 servers`, await measure('bash', ['-c', loop], env)]);
      }
      for (const [name, { ms, peakMiB, code }] of rows) {
        console.log(
          `  ${name.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(6)} s  peak ${peakMiB.toFixed(0).padStart(4)} MiB  exit ${code}`,
        );
      }
      const thousand = rows[1]?.[1];
      const loop = rows[2]?.[1];
      if (thousand) {
        console.log(
          `1,000 servers in ${(thousand.ms / 1000).toFixed(2)} s (goal: under 10 s) ${thousand.ms < 10_000 ? 'MET' : 'NOT MET'}`,
        );
        console.log(
          `memory: ${rows[0]?.[1].peakMiB.toFixed(0)} MiB for 100 servers, ${thousand.peakMiB.toFixed(0)} MiB for 1,000`,
        );
      }
      if (thousand && loop) console.log(`shell loop / dbcache = ${(loop.ms / thousand.ms).toFixed(1)}x`);
    } finally {
      await Promise.all(fakes.map((fake) => fake.close()));
      await rm(dir, { recursive: true, force: true });
    }
  },
};
export default bench;
