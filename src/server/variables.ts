import type { Connection, RowDataPacket } from 'mysql2/promise';

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
