import { isServerError, UserError } from '../../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../../output/exit-codes.ts';
import { grantStatement, isAccessDenied, setGlobalPrivilege } from '../../server/privileges.ts';
import { type ChangeFailed, isConnectionLost } from './apply.ts';
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
  const { applied, rollback } = failure;
  if (applied.length === 0) return 'Nothing was changed.';
  const changed = applied
    .map((statement) => `${statement.variable} (${facts.global[statement.variable]} s → ${seconds} s)`)
    .join(' and ');
  if (!rollback.failed) {
    const where = rollback.reconnected ? ' on a new connection' : '';
    return `dbcache had already changed ${changed} and put it back${where} with ${rollback.ran.join('; ')}, so the server is as it was.`;
  }
  return `dbcache had already changed ${changed}, and putting it back failed too (${rollback.failed.message}), so the server is NOT as it was. Run this as an administrator to undo it: ${rollback.remaining.join('; ')};`;
}
