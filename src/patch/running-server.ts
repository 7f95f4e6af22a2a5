/**
 * Does the running server read these option files? Only a server on this machine can, and
 * only the server can say: MariaDB lists, per variable, the option file that set it
 * (information_schema.SYSTEM_VARIABLES.GLOBAL_VALUE_PATH), MySQL 8 likewise
 * (performance_schema.variables_info.VARIABLE_PATH).
 */
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Transport } from '../connection/resolve.ts';
import type { ReadOptionsResult } from '../optionfile/index.ts';
import { hasSetPersist, type ServerIdentity } from '../server/identity.ts';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** A socket, or TCP to this machine's loopback address. */
export function isLocalTransport(transport: Transport): boolean {
  return (
    transport.kind === 'socket' ||
    LOCAL_HOSTS.has(transport.host.toLowerCase()) ||
    /^127\./.test(transport.host)
  );
}

/**
 * The option files the server says its settings came from; null when it cannot say (older
 * servers, or this user may not read the table). An empty list means no setting came from a
 * file: the server was started with --no-defaults, or its files set nothing it reports.
 */
export async function readConfigFiles(
  connection: Connection,
  identity: ServerIdentity,
): Promise<string[] | null> {
  const sql =
    identity.flavor === 'MariaDB'
      ? "SELECT DISTINCT GLOBAL_VALUE_PATH AS path FROM information_schema.SYSTEM_VARIABLES WHERE GLOBAL_VALUE_ORIGIN = 'CONFIG' AND GLOBAL_VALUE_PATH IS NOT NULL"
      : hasSetPersist(identity)
        ? "SELECT DISTINCT VARIABLE_PATH AS path FROM performance_schema.variables_info WHERE VARIABLE_SOURCE IN ('GLOBAL', 'SERVER', 'EXPLICIT', 'EXTRA', 'USER') AND VARIABLE_PATH <> ''"
        : null;
  if (sql === null) return null;
  try {
    const [rows] = await connection.query<RowDataPacket[]>(sql);
    return rows.map((row) => String(row.path)).sort();
  } catch {
    return null;
  }
}

/**
 * true: the server took settings from at least one of the files; false: it took settings from
 * files, or could have, but from none of these; null: it cannot tell.
 */
export function readsChain(
  configFiles: readonly string[] | null,
  chain: ReadOptionsResult,
  realPath: (path: string) => string | null,
): boolean | null {
  if (configFiles === null) return null;
  const inChain = new Set(chain.files.flatMap((file) => [file.path, file.realPath ?? file.path]));
  if (configFiles.some((file) => inChain.has(file) || inChain.has(realPath(file) ?? file))) return true;
  // A server that reads these files reports at least one of their settings as coming from them.
  const setsSomething = chain.options.length > 0;
  return configFiles.length > 0 || setsSomething ? false : null;
}
