import { StatementInterrupted, StatementTimeout, statementText } from '../../connection/deadline.ts';
import { describeStop } from '../../interrupt.ts';
import { isConnectionLost, isServerError, UserError } from '../../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { grantStatement, isAccessDenied, setGlobalPrivilege } from '../../server/privileges.ts';
import type { ChangeFailed, ChangeInterrupted } from './apply.ts';
import type { ServerFacts } from './facts.ts';
import { serverName } from './plan.ts';

/**
 * One plain message for a change that failed: what the server refused and why, what to do
 * about it, and whether the server is as it was (the rollback) or what to run to make it so.
 */
export function describeChangeFailure(
  failure: ChangeFailed,
  facts: ServerFacts,
  address: string,
  seconds: number,
): UserError {
  const { statement, reason } = failure;
  const kind = statement.sql.startsWith('SET PERSIST') ? 'SET PERSIST' : 'SET GLOBAL';
  const serverSaid = isServerError(reason)
    ? (reason.sqlMessage ?? reason.message)
    : String((reason as Error)?.message ?? reason);
  let cause: string;
  let exitCode: ExitCodeValue;
  if (isAccessDenied(reason) && facts.identity.managed) {
    const { provider, settingsLiveIn } = facts.identity.managed;
    cause = `${provider} does not let users change ${statement.variable} with ${kind} (the server said: "${serverSaid}"). On ${provider} the setting lives in ${settingsLiveIn}: change ${statement.variable} there.`;
    exitCode = ExitCode.privilege;
  } else if (isAccessDenied(reason)) {
    const need = setGlobalPrivilege(facts.identity);
    cause = `User ${facts.account} may not change ${statement.variable} on ${serverName(facts.identity)} at ${address}: ${kind} needs ${need.described} (the server said: "${serverSaid}"). An administrator can grant it with: ${grantStatement(need.privilege, facts.account)}`;
    exitCode = ExitCode.privilege;
  } else if (reason instanceof StatementTimeout) {
    cause = `The server at ${address} did not answer ${statementText(statement.sql)} within ${reason.seconds} s (--statement-timeout)`;
    exitCode = ExitCode.connection;
  } else if (reason instanceof StatementInterrupted) {
    cause = reason.message;
    exitCode = ExitCode.interrupted;
  } else if (isConnectionLost(reason)) {
    cause = `The connection to ${address} was lost while running ${statement.sql}: ${serverSaid}`;
    exitCode = ExitCode.connection;
  } else if (isServerError(reason)) {
    cause = `The server refused ${statement.sql}: error ${reason.errno} (${reason.code ?? 'unknown'}): ${serverSaid}`;
    exitCode = ExitCode.server;
  } else {
    cause = `${statement.sql} failed: ${serverSaid}`;
    exitCode = ExitCode.server;
  }
  const sentence = /[.!?;]$/.test(cause) ? cause : `${cause}.`;
  return new UserError(`${sentence} ${rollbackSentence(failure, facts, seconds)}`, exitCode, {
    cause: reason,
  });
}

function rollbackSentence(failure: ChangeFailed, facts: ServerFacts, seconds: number): string {
  const { applied, possiblyApplied, rollback } = failure;
  if (applied.length === 0) return 'Nothing was changed.';
  const certain = possiblyApplied ? applied.slice(0, -1) : applied;
  const changed = certain
    .map((statement) => `${statement.variable} (${facts.global[statement.variable]} s → ${seconds} s)`)
    .join(' and ');
  const where = rollback.reconnected ? ' on a new connection' : '';
  const ran = rollback.ran.join('; ');
  if (!possiblyApplied) {
    if (!rollback.failed) {
      return `dbcache had already changed ${changed} and put it back${where} with ${ran}, so the server is as it was.`;
    }
    return `dbcache had already changed ${changed}, and putting it back failed too (${rollback.failed.message}), so the server is NOT as it was. Run this as an administrator to undo it: ${rollback.remaining.join('; ')};`;
  }
  // The statement was sent and no answer came: it may have run, so it is undone with the rest.
  const givenUp =
    failure.reason instanceof StatementTimeout || failure.reason instanceof StatementInterrupted;
  const maybe = `${failure.statement.sql} may have taken effect before ${givenUp ? 'dbcache gave up on it' : 'the connection was lost'}`;
  const subject = certain.length > 0 ? `dbcache had already changed ${changed}, and ${maybe}` : maybe;
  if (!rollback.failed) {
    return `${subject}, so dbcache put ${applied.length > 1 ? 'them' : 'it'} back${where} with ${ran} (harmless if it never ran), and the server is as it was.`;
  }
  return `${subject}; putting it back failed too (${rollback.failed.message}), so the server may NOT be as it was. Run this as an administrator to undo it: ${rollback.remaining.join('; ')};`;
}

/** Ctrl-C while the statements ran: what was changed has been put back (or what to run to do so). */
export function describeInterruption(interruption: ChangeInterrupted, signal: AbortSignal): UserError {
  const { applied, rollback, whileReadingBack } = interruption;
  const sent = applied.map((statement) => statement.sql).join('; ');
  const doing = whileReadingBack ? 'reading back the change' : 'changing the server';
  const start = `Interrupted (${describeStop(signal)}) while ${doing}, after ${sent}: dbcache finished the statement it was running and then undid the change.`;
  const end = rollback.failed
    ? ` But putting it back failed (${rollback.failed.message}), so the server is NOT as it was. Run this as an administrator to undo it: ${rollback.remaining.join('; ')};`
    : ` It ran ${rollback.ran.join('; ')}${rollback.reconnected ? ' on a new connection' : ''}, so the server is as it was.`;
  return new UserError(start + end, ExitCode.interrupted);
}
