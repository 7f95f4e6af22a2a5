import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchReport } from '../src/bench/report.ts';
import type { TestServer } from '../test/helpers/server.ts';
import { adminConnection } from '../test/helpers/target.ts';
import { median } from './measure.ts';
import type { Bench } from './run.ts';

const BIN = fileURLToPath(new URL('../bin/dbcache.js', import.meta.url));
const ROUNDS = 5;
const REQUESTS = 2000;
const CONCURRENCY = 4;
const QUERY = 'SELECT CONNECTION_ID()';
const SCHEMA = 'dbcache_slap';
/** Issue 7's goal: dbcache's per-request/pooled ratio within this factor of the C client's. */
const AGREEMENT = 1.5;

interface Round {
  dbcache: { perRequest: number; pooled: number };
  slap: { perRequest: number; pooled: number };
}

/**
 * `dbcache bench` against the C client's own load generator on the same server in the same run:
 * `mariadb-slap --detach=1` reconnects after every query (the per-request pattern), without
 * `--detach` its clients keep their connections (the pooled one). Rounds alternate the two
 * tools so that machine noise falls on both; the ratios are compared, never absolute times.
 */
const bench: Bench = {
  title: 'bench: per-request/pooled ratio against mariadb-slap',
  async run(server: TestServer) {
    const slap = ['mariadb-slap', 'mysqlslap'].find((name) => spawnSync(name, ['--version']).status === 0);
    if (!slap) {
      console.log(
        'No mariadb-slap or mysqlslap on this machine (mariadb-client package): comparison not run.',
      );
      return;
    }
    const admin = await adminConnection(server);
    // mariadb-slap needs a schema to run in; its own, so that --no-drop leaves nothing else at risk.
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${SCHEMA}`);
    const flags = ['-h', server.host, '-P', String(server.port), '-u', server.user];
    if (server.password) flags.push(`--password=${server.password}`);
    try {
      const rounds: Round[] = [];
      for (let round = 0; round < ROUNDS + 1; round++) {
        const result: Round = {
          dbcache: runDbcache(['--no-defaults', ...flags, '--ssl-mode', 'DISABLED']),
          slap: { perRequest: runSlap(slap, flags, true), pooled: runSlap(slap, flags, false) },
        };
        // The first round warms the server's thread cache and the file cache and is not counted.
        if (round > 0) rounds.push(result);
      }
      report(slap, rounds);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${SCHEMA}`);
      await admin.end();
    }
  },
};

/** Requests per second of each run, from `dbcache bench --json`. */
function runDbcache(flags: string[]): Round['dbcache'] {
  const args = [
    BIN,
    'bench',
    ...flags,
    '-n',
    String(REQUESTS),
    '-c',
    String(CONCURRENCY),
    '--query',
    QUERY,
    '--yes',
    '--json',
  ];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`dbcache bench failed (${result.status}): ${result.stderr}`);
  const report = JSON.parse(result.stdout) as BenchReport;
  if (!report.per_request || !report.pooled) throw new Error('dbcache bench reported no runs');
  return { perRequest: report.per_request.requests_per_second, pooled: report.pooled.requests_per_second };
}

/** Requests per second of one mariadb-slap run, from its "Average number of seconds" line. */
function runSlap(slap: string, flags: string[], detach: boolean): number {
  const args = [
    ...flags,
    '--skip-ssl',
    `--create-schema=${SCHEMA}`,
    '--no-drop',
    `--query=${QUERY}`,
    `--concurrency=${CONCURRENCY}`,
    `--number-of-queries=${REQUESTS}`,
    ...(detach ? ['--detach=1'] : []),
  ];
  const result = spawnSync(slap, args, { encoding: 'utf8' });
  const seconds = /Average number of seconds to run all queries: ([\d.]+)/.exec(result.stdout)?.[1];
  if (result.status !== 0 || !seconds || /Error/.test(result.stderr)) {
    throw new Error(`${slap} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
  return REQUESTS / Number(seconds);
}

function report(slap: string, rounds: Round[]): void {
  const med = (pick: (round: Round) => number) => median(rounds.map(pick));
  const dbcacheRatio = med((round) => round.dbcache.pooled / round.dbcache.perRequest);
  const slapRatio = med((round) => round.slap.pooled / round.slap.perRequest);
  const rows: Array<[string, number, number, number]> = [
    [
      'dbcache bench (Node, mysql2)',
      med((r) => r.dbcache.perRequest),
      med((r) => r.dbcache.pooled),
      dbcacheRatio,
    ],
    [`${slap} (C client)`, med((r) => r.slap.perRequest), med((r) => r.slap.pooled), slapRatio],
  ];
  console.log(
    `${ROUNDS} alternating rounds of ${REQUESTS} requests, ${CONCURRENCY} at a time, "${QUERY}"; medians:`,
  );
  console.log(
    `  ${'client'.padEnd(32)} ${'per request/s'.padStart(14)} ${'pooled/s'.padStart(10)} ${'pooled ÷ per request'.padStart(22)}`,
  );
  for (const [name, perRequest, pooled, ratio] of rows) {
    console.log(
      `  ${name.padEnd(32)} ${perRequest.toFixed(0).padStart(14)} ${pooled.toFixed(0).padStart(10)} ${ratio.toFixed(2).padStart(22)}`,
    );
  }
  const agreement = Math.max(dbcacheRatio, slapRatio) / Math.min(dbcacheRatio, slapRatio);
  console.log(
    `dbcache's ratio / ${slap}'s = ${(dbcacheRatio / slapRatio).toFixed(2)} (goal: within ${AGREEMENT}x either way) ${agreement <= AGREEMENT ? 'MET' : 'NOT MET'}`,
  );
}

export default bench;
