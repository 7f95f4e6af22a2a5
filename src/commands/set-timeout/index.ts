import type { Connection } from 'mysql2/promise';
import { StatementInterrupted } from '../../connection/deadline.ts';
import type { ServerTarget } from '../../connection/target.ts';
import { describeStop } from '../../interrupt.ts';
import type { IO } from '../../io.ts';
import { isConnectionLost, UserError } from '../../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { printReport } from '../../output/print.ts';
import { applyStatements, ChangeFailed, ChangeInterrupted, undo } from './apply.ts';
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

export interface SetTimeoutOptions {
  /** The new value in seconds, already checked by parseTimeoutRequest before any connection. */
  seconds: number;
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
  const { seconds } = options;
  const change = { seconds, interactive: options.interactive, persist: options.persist };

  const { interrupts } = target;
  // A first Ctrl-C or SIGTERM gives up a statement before the change; during it and while it is
  // read back, the press is held: the statement in flight finishes (or meets its deadline), then
  // the change is undone. Only a second Ctrl-C gives up a statement the server does not answer.
  const statements = interrupts.holdable();
  let report: ReturnType<typeof buildReport>;
  let outcome: Outcome | null = null;
  try {
    const connection = await target.connect(statements.signal);
    try {
      const facts = await readServerFacts(connection);
      const outOfRange = checkServerRange(seconds, facts.identity);
      if (outOfRange) throw outOfRange;
      const planned = planStatements(change, facts);
      if (planned instanceof Error) throw planned;

      if (!options.dryRun) {
        outcome = await statements.hold(() =>
          applyAllOrNothing(
            connection,
            planned,
            target,
            io,
            (failure) => describeChangeFailure(failure, facts, target.address, seconds),
            (warnings) => readBack(connection, target, warnings, facts.persisted !== null),
          ),
        );
      }
      report = buildReport(facts, { address: target.address }, change, planned, outcome);
    } finally {
      await connection.end().catch(() => undefined);
    }
  } finally {
    statements.release();
  }
  await printReport(io, report, options.json, async () => (await import('./render.ts')).renderReport);
  if (report.dry_run || report.verified) return ExitCode.ok;
  if (interrupts.signal.aborted) return ExitCode.interrupted;
  return outcome?.readBackLost ? ExitCode.connection : ExitCode.checkFailed;
}

/**
 * Runs the statements, then `readBack`, with Ctrl-C recorded rather than obeyed: the statement
 * running and any undo finish first, so the server is never left half-changed by an interrupt.
 * A press while the change is read back undoes it too: exit 130 always means "as it was".
 */
async function applyAllOrNothing(
  connection: Connection,
  planned: Parameters<typeof applyStatements>[1],
  target: ServerTarget,
  io: IO,
  describeFailure: (failure: ChangeFailed) => UserError,
  readBack: (warnings: Awaited<ReturnType<typeof applyStatements>>) => Promise<Outcome>,
): Promise<Outcome> {
  const { signal } = target.interrupts;
  const onFirst = () =>
    io.stderr.write(
      `dbcache: ${describeStop(signal)}: finishing the statement in flight, then putting the server back; press Ctrl-C again to stop waiting for the server (the undo then runs on a new connection).\n`,
    );
  signal.addEventListener('abort', onFirst, { once: true });
  // Not stopped by interrupts: only its deadline bounds the undo.
  const reconnect = () => target.connect(new AbortController().signal);
  try {
    const warnings = await applyStatements(connection, planned, reconnect, () => signal.aborted);
    const outcome = await readBack(warnings);
    if (!signal.aborted) return outcome;
    throw new ChangeInterrupted([...planned], await undo(connection, planned, reconnect), true);
  } catch (err) {
    if (err instanceof ChangeInterrupted) throw describeInterruption(err, signal);
    if (err instanceof ChangeFailed) {
      const failure = describeFailure(err);
      if (!signal.aborted || err.reason instanceof StatementInterrupted) throw failure;
      throw new UserError(
        `${failure.message} (${describeStop(signal)} came while dbcache was putting the server back; it finished that first.)`,
        failure.exitCode,
        { cause: failure.cause },
      );
    }
    throw err;
  } finally {
    signal.removeEventListener('abort', onFirst);
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
