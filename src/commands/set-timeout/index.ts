import type { Connection } from 'mysql2/promise';
import type { ServerTarget } from '../../connection/target.ts';
import type { IO } from '../../io.ts';
import { isConnectionLost, UserError } from '../../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { printReport } from '../../output/print.ts';
import { applyStatements, ChangeFailed, ChangeInterrupted } from './apply.ts';
import {
  readGlobalTimeouts,
  readPersisted,
  readServerFacts,
  readSessionTimeouts,
  type TimeoutValues,
} from './facts.ts';
import { describeChangeFailure, describeInterruption } from './failure.ts';
import { planStatements } from './plan.ts';
import { buildReport, type Outcome } from './report.ts';
import { checkServerRange } from './request.ts';

/**
 * Where Ctrl-C comes from: called with a listener, it starts delivering interrupts to it and
 * returns the function that stops. The command listens only while statements or their undo
 * run; before that, Ctrl-C keeps its ordinary meaning and simply ends the process.
 */
export type InterruptSource = (listener: () => void) => () => void;

/** The process's SIGINT as an InterruptSource (what the CLI passes). */
export const sigintSource: InterruptSource = (listener) => {
  process.on('SIGINT', listener);
  return () => process.off('SIGINT', listener);
};

export interface SetTimeoutOptions {
  /** The new value in seconds, already checked by parseTimeoutRequest before any connection. */
  seconds: number;
  interactive: boolean;
  persist: boolean;
  dryRun: boolean;
  /** Allow values under 10 s. */
  force: boolean;
  json: boolean;
  /** Ctrl-C while the change runs: undo it, then exit 130. Without one, nothing listens. */
  interrupts?: InterruptSource;
}

export async function runSetTimeout(
  options: SetTimeoutOptions,
  io: IO,
  target: ServerTarget,
): Promise<ExitCodeValue> {
  const { seconds } = options;
  const change = { seconds, interactive: options.interactive, persist: options.persist };

  const connection = await target.connect();
  let report: ReturnType<typeof buildReport>;
  let outcome: Outcome | null = null;
  try {
    const facts = await readServerFacts(connection);
    const outOfRange = checkServerRange(seconds, facts.identity);
    if (outOfRange) throw outOfRange;
    const planned = planStatements(change, facts);
    if (planned instanceof Error) throw planned;

    if (!options.dryRun) {
      const warnings = await applyAllOrNothing(connection, planned, target, options.interrupts, (failure) =>
        describeChangeFailure(failure, facts, target.address, seconds),
      );
      outcome = await readBack(connection, target, warnings, facts.persisted !== null);
    }
    report = buildReport(facts, { address: target.address }, change, planned, outcome);
  } finally {
    await connection.end().catch(() => undefined);
  }
  await printReport(io, report, options.json, async () => (await import('./render.ts')).renderReport);
  if (report.dry_run || report.verified) return ExitCode.ok;
  return outcome?.readBackLost ? ExitCode.connection : ExitCode.checkFailed;
}

/**
 * Runs the statements with Ctrl-C recorded rather than obeyed: the statement running and any
 * undo finish first, so the server is never left half-changed by an interrupt.
 */
async function applyAllOrNothing(
  connection: Connection,
  planned: Parameters<typeof applyStatements>[1],
  target: ServerTarget,
  interrupts: InterruptSource | undefined,
  describeFailure: (failure: ChangeFailed) => UserError,
): Promise<Awaited<ReturnType<typeof applyStatements>>> {
  let interrupted = false;
  const stopListening = interrupts?.(() => {
    interrupted = true;
  });
  try {
    return await applyStatements(
      connection,
      planned,
      () => target.connect(),
      () => interrupted,
    );
  } catch (err) {
    if (err instanceof ChangeInterrupted) throw describeInterruption(err);
    if (err instanceof ChangeFailed) {
      const failure = describeFailure(err);
      if (!interrupted) throw failure;
      throw new UserError(
        `${failure.message} (Ctrl-C came while dbcache was putting the server back; it finished that first.)`,
        failure.exitCode,
        { cause: failure.cause },
      );
    }
    throw err;
  } finally {
    stopListening?.();
  }
}

/**
 * What the server holds after the change. The statements were accepted, so a failure here still
 * ends in a report (after: null, not verified, with the undo) rather than a bare error.
 */
async function readBack(
  connection: Connection,
  target: ServerTarget,
  warnings: Outcome['warnings'],
  persisted: boolean,
): Promise<Outcome> {
  try {
    const after = {
      ...(await readGlobalTimeouts(connection)),
      persisted: persisted ? await readPersisted(connection) : null,
    };
    const thisConnection = await readSessionTimeouts(connection);
    const fresh = await newConnectionTimeouts(target);
    return { warnings, after, thisConnection, ...fresh, readBackError: null, readBackLost: false };
  } catch (err) {
    return {
      warnings,
      after: null,
      thisConnection: null,
      newConnection: null,
      newConnectionError: null,
      readBackError: err instanceof Error ? err.message : String(err),
      readBackLost: isConnectionLost(err),
    };
  }
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
