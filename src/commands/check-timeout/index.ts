import type { ServerTarget } from '../../connection/target.ts';
import type { IO } from '../../io.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { printJson } from '../../output/json.ts';
import { colorFor } from '../../output/style.ts';
import { readTimeoutFacts } from './facts.ts';
import { renderReport } from './render.ts';
import { buildReport } from './report.ts';

export interface CheckTimeoutOptions {
  json: boolean;
  /** Exit with checkFailed unless the live global wait_timeout equals this. */
  expect?: number;
}

export async function runCheckTimeout(options: CheckTimeoutOptions, io: IO, target: ServerTarget): Promise<ExitCodeValue> {
  const connection = await target.connect();
  let facts: Awaited<ReturnType<typeof readTimeoutFacts>>;
  try {
    facts = await readTimeoutFacts(connection);
  } finally {
    await connection.end().catch(() => undefined);
  }
  const report = buildReport(facts, { address: target.address, user: target.user }, options.expect);
  if (options.json) printJson(io.stdout, report);
  else io.stdout.write(renderReport(report, colorFor(io.stdout, io.env)));
  return report.expect && !report.expect.matches ? ExitCode.checkFailed : ExitCode.ok;
}
