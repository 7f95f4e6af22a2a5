import type { ServerTarget } from '../../connection/target.ts';
import type { IO } from '../../io.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { printJson } from '../../output/json.ts';
import { isLocalTransport } from '../../serverfiles/running-server.ts';
import { machineOptionFiles, type OptionFilesSource, readOptionFilesFacts } from './drift.ts';
import { readTimeoutFacts } from './facts.ts';
import { buildReport, PATH_FINDING } from './report.ts';

export interface CheckTimeoutOptions {
  json: boolean;
  /** Exit with checkFailed unless the live global wait_timeout equals this. */
  expect?: number;
}

/**
 * `optionFiles`: where the server's option files are, for the drift check; by default the
 * machine's, and only for a server on this machine (socket or loopback).
 */
export async function runCheckTimeout(
  options: CheckTimeoutOptions,
  io: IO,
  target: ServerTarget,
  optionFiles?: OptionFilesSource | null,
): Promise<ExitCodeValue> {
  const connection = await target.connect();
  let facts: Awaited<ReturnType<typeof readTimeoutFacts>>;
  try {
    facts = await readTimeoutFacts(connection);
    const source =
      optionFiles === undefined && isLocalTransport(target.resolved.transport)
        ? machineOptionFiles(io)
        : optionFiles;
    if (source) facts.optionFiles = await readOptionFilesFacts(connection, facts.identity, source);
  } finally {
    await connection.end().catch(() => undefined);
  }
  const report = buildReport(facts, { address: target.address, user: target.user }, options.expect);
  if (!isLocalTransport(target.resolved.transport)) report.findings.push(PATH_FINDING);
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
