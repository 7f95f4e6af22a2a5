import type { Connection } from 'mysql2/promise';
import type { ServerTarget } from '../../connection/target.ts';
import type { IO } from '../../io.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { printJson } from '../../output/json.ts';
import { colorFor } from '../../output/style.ts';
import { applyStatements, ChangeFailed } from './apply.ts';
import {
  readGlobalTimeouts,
  readPersisted,
  readServerFacts,
  readSessionTimeouts,
  type TimeoutValues,
} from './facts.ts';
import { describeChangeFailure } from './failure.ts';
import { planStatements } from './plan.ts';
import { renderReport } from './render.ts';
import { buildReport, type Outcome } from './report.ts';
import { checkServerRange, parseTimeoutRequest } from './request.ts';

export interface SetTimeoutOptions {
  /** What the user typed: 120, 120s, 2m, 1h. Checked before any connection is opened. */
  value: string;
  interactive: boolean;
  persist: boolean;
  dryRun: boolean;
  /** Allow values under 10 s. */
  force: boolean;
  json: boolean;
}

export async function runSetTimeout(
  options: SetTimeoutOptions,
  io: IO,
  target: ServerTarget,
): Promise<ExitCodeValue> {
  const seconds = parseTimeoutRequest(options.value, options.force);
  if (seconds instanceof Error) throw seconds;
  const change = { seconds, interactive: options.interactive, persist: options.persist };

  const connection = await target.connect();
  let report: ReturnType<typeof buildReport>;
  try {
    const facts = await readServerFacts(connection);
    const outOfRange = checkServerRange(seconds, facts.identity);
    if (outOfRange) throw outOfRange;
    const planned = planStatements(change, facts);
    if (planned instanceof Error) throw planned;

    let outcome: Outcome | null = null;
    if (!options.dryRun) {
      let warnings: Awaited<ReturnType<typeof applyStatements>>;
      try {
        warnings = await applyStatements(connection, planned, () => target.connect());
      } catch (err) {
        if (err instanceof ChangeFailed) throw describeChangeFailure(err, facts, target.address, seconds);
        throw err;
      }
      const after = {
        ...(await readGlobalTimeouts(connection)),
        persisted: facts.persisted === null ? null : await readPersisted(connection),
      };
      const thisConnection = await readSessionTimeouts(connection);
      const fresh = await newConnectionTimeouts(target);
      outcome = { warnings, after, thisConnection, ...fresh };
    }
    report = buildReport(facts, { address: target.address }, change, planned, outcome);
  } finally {
    await connection.end().catch(() => undefined);
  }
  if (options.json) printJson(io.stdout, report);
  else io.stdout.write(renderReport(report, colorFor(io.stdout, io.env)));
  return report.dry_run || report.verified ? ExitCode.ok : ExitCode.checkFailed;
}

/** What a connection opened now gets: the proof that new connections see the new value. */
async function newConnectionTimeouts(
  target: ServerTarget,
): Promise<{ newConnection: TimeoutValues | null; newConnectionError: string | null }> {
  let fresh: Connection | undefined;
  try {
    fresh = await target.connect();
    return { newConnection: await readSessionTimeouts(fresh), newConnectionError: null };
  } catch (err) {
    return { newConnection: null, newConnectionError: err instanceof Error ? err.message : String(err) };
  } finally {
    await fresh?.end().catch(() => undefined);
  }
}
