import type { Connection, RowDataPacket } from 'mysql2/promise';
import { hasSetPersist, type ServerIdentity } from './identity.ts';

type Scope = 'GLOBAL' | 'SESSION';

/** Reads the named variables in one statement; names the server does not have are simply absent. */
export async function readVariables(
  connection: Connection,
  scope: Scope,
  names: readonly string[],
): Promise<Record<string, string>> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SHOW ${scope} VARIABLES WHERE Variable_name IN (${names.map(() => '?').join(', ')})`,
    [...names],
  );
  return Object.fromEntries(rows.map((row) => [String(row.Variable_name).toLowerCase(), String(row.Value)]));
}

/** Reads status counters in one statement, keeping the server's capitalisation (Threads_connected). */
export async function readStatus(
  connection: Connection,
  names: readonly string[],
): Promise<Record<string, number>> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SHOW GLOBAL STATUS WHERE Variable_name IN (${names.map(() => '?').join(', ')})`,
    [...names],
  );
  const byLowerName = new Map(names.map((name) => [name.toLowerCase(), name]));
  return Object.fromEntries(
    rows.map((row) => {
      const name = String(row.Variable_name);
      return [byLowerName.get(name.toLowerCase()) ?? name, Number(row.Value)];
    }),
  );
}

export interface VariableOrigin {
  /** The server's word: MariaDB COMPILE-TIME / CONFIG / COMMAND-LINE / AUTO / SQL; MySQL COMPILED / GLOBAL / SERVER / EXPLICIT / EXTRA / USER / LOGIN / COMMAND_LINE / PERSISTED / DYNAMIC. */
  source: string;
  /** The option file that set it, when it came from one. */
  path: string | null;
}

/**
 * Where the global value of a variable came from, where the server can tell (MariaDB 10.2+
 * information_schema.SYSTEM_VARIABLES, MySQL 8 performance_schema.variables_info). Null when the
 * server cannot say or this user may not read the table.
 */
export async function readVariableOrigin(
  connection: Connection,
  identity: ServerIdentity,
  name: string,
): Promise<VariableOrigin | null> {
  const sql =
    identity.flavor === 'MariaDB'
      ? 'SELECT GLOBAL_VALUE_ORIGIN AS source, GLOBAL_VALUE_PATH AS path FROM information_schema.SYSTEM_VARIABLES WHERE VARIABLE_NAME = ?'
      : hasSetPersist(identity)
        ? 'SELECT VARIABLE_SOURCE AS source, VARIABLE_PATH AS path FROM performance_schema.variables_info WHERE VARIABLE_NAME = ?'
        : undefined;
  if (!sql) return null;
  try {
    const [rows] = await connection.query<RowDataPacket[]>(sql, [
      identity.flavor === 'MariaDB' ? name.toUpperCase() : name,
    ]);
    const row = rows[0];
    if (!row) return null;
    const path = row.path === null || row.path === undefined || row.path === '' ? null : String(row.path);
    return { source: String(row.source), path };
  } catch {
    return null;
  }
}
