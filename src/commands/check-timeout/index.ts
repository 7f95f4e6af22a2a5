import type { ServerTarget } from '../../connection/target.ts';
import type { IO } from '../../io.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { printReport } from '../../output/print.ts';
import { isLocalTransport } from '../../serverfiles/running-server.ts';
import { machineOptionFiles, type OptionFilesSource, readOptionFilesFacts } from './drift.ts';
import { readTimeoutFacts } from './facts.ts';
import { buildReport, PATH_FINDING, type TimeoutReport } from './report.ts';

interface CheckTimeoutOptions {
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
  const report = await checkServer(target, io, options.expect, optionFiles);
  await printReport(io, report, options.json, async () => (await import('./render.ts')).renderReport);
  return report.expect && !report.expect.matches ? ExitCode.checkFailed : ExitCode.ok;
}

/** One server's report: what a single run prints, and one row of a fleet run. */
export async function checkServer(
  target: ServerTarget,
  io: IO,
  expect: number | undefined,
  optionFiles?: OptionFilesSource | null,
  signal?: AbortSignal,
): Promise<TimeoutReport> {
  const connection = await target.connect(signal);
  let facts: Awaited<ReturnType<typeof readTimeoutFacts>>;
  try {
    facts = await readTimeoutFacts(connection);
    facts.local = isLocalTransport(target.resolved.transport);
    const source = optionFiles === undefined && facts.local ? machineOptionFiles(io) : optionFiles;
    if (source)
      facts.optionFiles = await readOptionFilesFacts(connection, facts.identity, source, {
        known: facts.known,
      });
  } finally {
    await connection.end().catch(() => undefined);
  }
  const report = buildReport(facts, { address: target.address, user: target.user }, expect);
  if (!facts.local) report.findings.push(PATH_FINDING);
  return report;
}
