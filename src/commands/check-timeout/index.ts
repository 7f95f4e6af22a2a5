import type { ServerTarget } from '../../connection/target.ts';
import type { IO } from '../../io.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { printJson } from '../../output/json.ts';
import { readTimeoutFacts } from './facts.ts';
import { buildReport } from './report.ts';

export interface CheckTimeoutOptions {
  json: boolean;
  /** Exit with checkFailed unless the live global wait_timeout equals this. */
  expect?: number;
}

export async function runCheckTimeout(
  options: CheckTimeoutOptions,
  io: IO,
  target: ServerTarget,
): Promise<ExitCodeValue> {
  const connection = await target.connect();
  let facts: Awaited<ReturnType<typeof readTimeoutFacts>>;
  try {
    facts = await readTimeoutFacts(connection);
  } finally {
    await connection.end().catch(() => undefined);
  }
  const report = buildReport(facts, { address: target.address, user: target.user }, options.expect);
  if (options.json) printJson(io.stdout, report);
  else {
    // Tables and colors are for people; --json runs (cron, monitoring) skip loading them.
    const [{ renderReport }, { colorFor }] = await Promise.all([
      import('./render.ts'),
      import('../../output/style.ts'),
    ]);
    io.stdout.write(renderReport(report, colorFor(io.stdout, io.env)));
  }
  return report.expect && !report.expect.matches ? ExitCode.checkFailed : ExitCode.ok;
}
