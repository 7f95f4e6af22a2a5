import { fileURLToPath } from 'node:url';
import type { TestServer } from '../test/helpers/server.ts';
import { timeCommands } from './measure.ts';
import type { Bench } from './run.ts';

const BIN = fileURLToPath(new URL('../bin/dbcache.js', import.meta.url));
const ROUNDS = 30;

/** Issue 2's goal: `check-timeout` within 2.0x the wall time of a bare `node -e 0`. */
const bench: Bench = {
  title: 'check-timeout start-up and run time',
  async run(server: TestServer) {
    // Through the socket, as `dbcache check-timeout` reaches a local server by default. (Over TCP,
    // PREFERRED TLS costs a second handshake against a server without TLS: mysql2 cannot fall
    // back inside one handshake as the C client does.)
    const where = server.socket ? ['-S', server.socket] : ['-h', server.host, '-P', String(server.port)];
    const flags = ['--no-defaults', ...where, '-u', server.user];
    const query =
      "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wait_timeout','interactive_timeout','max_connections'); SHOW GLOBAL STATUS WHERE Variable_name IN ('Connections','Uptime')";
    const client = ['mariadb', 'mysql'].find((name) => timeCommandsSafe(name));
    const contenders = [
      { name: 'node -e 0', command: process.execPath, args: ['-e', '0'] },
      {
        name: 'dbcache check-timeout --json',
        command: process.execPath,
        args: [BIN, 'check-timeout', '--json', ...flags],
      },
      { name: 'dbcache --help', command: process.execPath, args: [BIN, '--help'] },
      ...(client
        ? [{ name: `${client} (C client, same queries)`, command: client, args: [...flags, '-e', query] }]
        : []),
    ];
    const medians = timeCommands(contenders, ROUNDS);
    const base = medians.get('node -e 0') as number;
    console.log(`${ROUNDS} alternating rounds, median wall time per command:`);
    for (const [name, ms] of medians) {
      console.log(
        `  ${name.padEnd(40)} ${ms.toFixed(1).padStart(7)} ms   ${(ms / base).toFixed(2)}x node -e 0`,
      );
    }
    const ratio = (medians.get('dbcache check-timeout --json') as number) / base;
    console.log(
      `check-timeout / node -e 0 = ${ratio.toFixed(2)} (goal: at most 2.00) ${ratio <= 2 ? 'MET' : 'NOT MET'}`,
    );
  },
};

function timeCommandsSafe(name: string): boolean {
  try {
    timeCommands([{ name, command: name, args: ['--version'] }], 0);
    return true;
  } catch {
    return false;
  }
}

export default bench;
