import { UserError, usageError } from '../../output/errors.ts';
import { ExitCode } from '../../output/exit-codes.ts';
import { hasSetPersist, type ServerIdentity } from '../../server/identity.ts';
import { keepAcrossRestarts } from '../../server/timeout-advice.ts';
import type { ServerFacts, TimeoutVariable } from './facts.ts';

export interface TimeoutChange {
  seconds: number;
  /** Set interactive_timeout to the same value. */
  interactive: boolean;
  /** SET PERSIST instead of SET GLOBAL (MySQL 8+). */
  persist: boolean;
}

export interface PlannedStatement {
  variable: TimeoutVariable;
  sql: string;
  /** What puts this statement's effect back, in order: the runtime value and, for PERSIST, mysqld-auto.cnf. */
  undo: string[];
}

/**
 * The statements for a change, each with its undo, or the usage error that says why this server
 * cannot do all of it. Pure: the dry run prints exactly this.
 */
export function planStatements(change: TimeoutChange, facts: ServerFacts): PlannedStatement[] | UserError {
  if (change.persist) {
    const refusal = persistRefusal(facts, change.seconds);
    if (refusal) return refusal;
  }
  const variables: TimeoutVariable[] = change.interactive
    ? ['wait_timeout', 'interactive_timeout']
    : ['wait_timeout'];
  return variables.map((variable) => {
    const before = facts.global[variable];
    if (!change.persist) {
      return {
        variable,
        sql: `SET GLOBAL ${variable} = ${change.seconds}`,
        undo: [`SET GLOBAL ${variable} = ${before}`],
      };
    }
    const persisted = facts.persisted?.[variable] ?? null;
    let undo: string[];
    if (persisted === null)
      undo = [`SET GLOBAL ${variable} = ${before}`, `RESET PERSIST IF EXISTS ${variable}`];
    else if (persisted === before) undo = [`SET PERSIST ${variable} = ${before}`];
    // SET PERSIST then SET GLOBAL restores both without PERSIST_ONLY and its extra privilege.
    else undo = [`SET PERSIST ${variable} = ${persisted}`, `SET GLOBAL ${variable} = ${before}`];
    return { variable, sql: `SET PERSIST ${variable} = ${change.seconds}`, undo };
  });
}

function persistRefusal(facts: ServerFacts, seconds: number): UserError | null {
  const { identity } = facts;
  if (!hasSetPersist(identity)) {
    return usageError(
      `${identity.flavor === 'MariaDB' ? 'MariaDB has no SET PERSIST' : `${serverName(identity)} has no SET PERSIST (it came with MySQL 8.0)`}, so --persist cannot make the change survive a restart, and dbcache does not do half of what was asked. Run again without --persist to change the running server, and keep it across restarts with ${keepAcrossRestarts(seconds, facts)}. Nothing was changed.`,
    );
  }
  if (facts.persisted === null) {
    return new UserError(
      `Could not read performance_schema.persisted_variables (${facts.persistedReadError ?? 'no answer'}): without it dbcache cannot put mysqld-auto.cnf back if a step fails. Grant SELECT on performance_schema.persisted_variables, or run without --persist. Nothing was changed.`,
      ExitCode.privilege,
    );
  }
  return null;
}

export const serverName = (identity: ServerIdentity): string => `${identity.flavor} ${identity.version}`;

/** Everything that undoes the whole plan: later statements first. */
export const undoAll = (planned: readonly PlannedStatement[]): string[] =>
  [...planned].reverse().flatMap((statement) => statement.undo);
