import type { Connection, RowDataPacket } from 'mysql2/promise';
import { isConnectionLost } from '../../output/errors.ts';
import { type PlannedStatement, undoAll } from './plan.ts';

/** A note or warning the server attached to a statement (SHOW WARNINGS), e.g. 1292 for a clamped value. */
export interface ServerWarning {
  statement: string;
  level: string;
  code: number;
  message: string;
}

interface RollbackOutcome {
  /** The undo statements that ran, in order. */
  ran: string[];
  /** The undo statement that failed, with the reason; null when everything was put back. */
  failed: { statement: string; message: string } | null;
  /** The undo statements that did not run: what an administrator must run by hand. */
  remaining: string[];
  /** True when the undo had to open a new connection because the first one was lost. */
  reconnected: boolean;
}

/** A statement of the plan failed; the ones before it were undone as `rollback` says. */
export class ChangeFailed extends Error {
  constructor(
    readonly statement: PlannedStatement,
    readonly reason: unknown,
    /**
     * The statements of the plan that had (or may have) taken effect before the failure: when
     * the connection was lost, the failed statement itself is the last of them.
     */
    readonly applied: PlannedStatement[],
    readonly rollback: RollbackOutcome,
    /** True when the failed statement is in `applied` because nobody can tell whether it ran. */
    readonly possiblyApplied = false,
  ) {
    super(`${statement.sql} failed`, { cause: reason });
    this.name = 'ChangeFailed';
  }
}

/**
 * Ctrl-C came while the plan ran, or while the change was read back; what had been changed was
 * undone as `rollback` says.
 */
export class ChangeInterrupted extends Error {
  constructor(
    readonly applied: PlannedStatement[],
    readonly rollback: RollbackOutcome,
    readonly whileReadingBack = false,
  ) {
    super('interrupted while changing the server');
    this.name = 'ChangeInterrupted';
  }
}

/**
 * Runs the plan in order, reading the server's warnings after each statement. All or nothing:
 * when a statement fails, the ones before it are undone (on a new connection from `reconnect`
 * if this one was lost) and ChangeFailed says how that went. A statement whose connection was
 * lost may have run before the server could answer, so it is undone too: its undo sets the
 * value from before, harmless if it never ran. When `interrupted()` turns true (Ctrl-C), the
 * statement running finishes, everything applied is undone, and ChangeInterrupted is thrown.
 */
export async function applyStatements(
  connection: Connection,
  planned: readonly PlannedStatement[],
  reconnect: () => Promise<Connection>,
  interrupted: () => boolean = () => false,
): Promise<ServerWarning[]> {
  const warnings: ServerWarning[] = [];
  for (const [index, statement] of planned.entries()) {
    let tookEffect = false;
    try {
      await connection.query(statement.sql);
      tookEffect = true;
      warnings.push(...(await readWarnings(connection, statement.sql)));
    } catch (err) {
      const possiblyApplied = !tookEffect && isConnectionLost(err);
      const applied = planned.slice(0, tookEffect || possiblyApplied ? index + 1 : index);
      const rollback = await undo(connection, applied, reconnect);
      throw new ChangeFailed(statement, err, applied, rollback, possiblyApplied);
    }
    if (interrupted()) {
      const applied = planned.slice(0, index + 1);
      throw new ChangeInterrupted(applied, await undo(connection, applied, reconnect));
    }
  }
  return warnings;
}

export async function readWarnings(connection: Connection, statement: string): Promise<ServerWarning[]> {
  const [rows] = await connection.query<RowDataPacket[]>('SHOW WARNINGS');
  return rows.map((row) => ({
    statement,
    level: String(row.Level),
    code: Number(row.Code),
    message: String(row.Message),
  }));
}

/** Undoes `applied` in reverse order, on a new connection from `reconnect` if this one is lost. */
export async function undo(
  connection: Connection,
  applied: readonly PlannedStatement[],
  reconnect: () => Promise<Connection>,
): Promise<RollbackOutcome> {
  const statements = undoAll(applied);
  const ran: string[] = [];
  let current = connection;
  let replacement: Connection | undefined;
  try {
    for (const sql of statements) {
      try {
        await current.query(sql);
      } catch (err) {
        if (replacement || !isConnectionLost(err)) throw err;
        replacement = await reconnect();
        current = replacement;
        await current.query(sql);
      }
      ran.push(sql);
    }
    return { ran, failed: null, remaining: [], reconnected: replacement !== undefined };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ran,
      failed: { statement: statements[ran.length] ?? '', message },
      remaining: statements.slice(ran.length),
      reconnected: replacement !== undefined,
    };
  } finally {
    await replacement?.end().catch(() => undefined);
  }
}
