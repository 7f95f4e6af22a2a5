/**
 * `npm run bench`: starts one throwaway server (or uses MYSQL_TEST_URL), then runs every
 * perf/*.bench.ts in name order. Each prints its own figures; speed goals are ratios measured
 * in one run on one machine, never absolute times. `npm run bench -- startup` runs only the
 * files whose name contains "startup".
 */
import { readdirSync } from 'node:fs';
import { externalServer, startTestServer, type TestServer } from '../test/helpers/server.ts';

export interface Bench {
  title: string;
  run(server: TestServer): Promise<void>;
}

const filters = process.argv.slice(2);
const files = readdirSync(new URL('.', import.meta.url))
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

const server = process.env.MYSQL_TEST_URL
  ? externalServer(process.env.MYSQL_TEST_URL)
  : await startTestServer({ args: ['--max-connections=2500'] });
try {
  for (const file of files) {
    const bench = (await import(new URL(file, import.meta.url).href)).default as Bench;
    console.log(`\n## ${bench.title} (${file})\n`);
    await bench.run(server);
  }
} finally {
  await server.stop();
}
