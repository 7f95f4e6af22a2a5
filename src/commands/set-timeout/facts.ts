import type { Connection, RowDataPacket } from 'mysql2/promise';
import {
  hasSetPersist,
  IDENTITY_VARIABLES,
  identifyServer,
  type ServerIdentity,
} from '../../server/identity.ts';
import { currentAccount } from '../../server/privileges.ts';
import { readVariables } from '../../server/variables.ts';

export const TIMEOUT_VARIABLES = ['wait_timeout', 'interactive_timeout'] as const;
export type TimeoutVariable = (typeof TIMEOUT_VARIABLES)[number];
export type TimeoutValues = Record<TimeoutVariable, number>;
/** What mysqld-auto.cnf holds for each variable (MySQL 8); null where nothing is persisted. */
export type PersistedValues = Record<TimeoutVariable, number | null>;

/** What set-timeout reads before it changes anything. */
export interface ServerFacts {
  identity: ServerIdentity;
  /** CURRENT_USER(), quoted for a GRANT. */
  account: string;
  global: TimeoutValues;
  /** Null where the server has no SET PERSIST, or the table could not be read (see persistedReadError). */
  persisted: PersistedValues | null;
  persistedReadError: string | null;
  /** MySQL 8: OFF means the server ignores mysqld-auto.cnf at startup. */
  persistedGlobalsLoad: boolean | null;
}

const toValues = (variables: Record<string, string>): TimeoutValues => ({
  wait_timeout: Number(variables.wait_timeout),
  interactive_timeout: Number(variables.interactive_timeout),
});

export async function readServerFacts(connection: Connection): Promise<ServerFacts> {
  const variables = await readVariables(connection, 'GLOBAL', [
    ...TIMEOUT_VARIABLES,
    ...IDENTITY_VARIABLES,
    'persisted_globals_load',
  ]);
  const identity = identifyServer(variables);
  const account = await currentAccount(connection);
  let persisted: PersistedValues | null = null;
  let persistedReadError: string | null = null;
  if (hasSetPersist(identity)) {
    try {
      persisted = await readPersisted(connection);
    } catch (err) {
      persistedReadError = err instanceof Error ? err.message : String(err);
    }
  }
  const load = variables.persisted_globals_load;
  return {
    identity,
    account,
    global: toValues(variables),
    persisted,
    persistedReadError,
    persistedGlobalsLoad: load === undefined ? null : load.toUpperCase() === 'ON',
  };
}

export async function readGlobalTimeouts(connection: Connection): Promise<TimeoutValues> {
  return toValues(await readVariables(connection, 'GLOBAL', TIMEOUT_VARIABLES));
}

/** The session values of a connection: what its idle limit actually is. */
export async function readSessionTimeouts(connection: Connection): Promise<TimeoutValues> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT @@session.wait_timeout AS wait_timeout, @@session.interactive_timeout AS interactive_timeout',
  );
  return {
    wait_timeout: Number(rows[0]?.wait_timeout),
    interactive_timeout: Number(rows[0]?.interactive_timeout),
  };
}

export async function readPersisted(connection: Connection): Promise<PersistedValues> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT VARIABLE_NAME AS name, VARIABLE_VALUE AS value FROM performance_schema.persisted_variables WHERE VARIABLE_NAME IN (${TIMEOUT_VARIABLES.map(() => '?').join(', ')})`,
    [...TIMEOUT_VARIABLES],
  );
  const persisted: PersistedValues = { wait_timeout: null, interactive_timeout: null };
  for (const row of rows) {
    const name = String(row.name).toLowerCase();
    if (name === 'wait_timeout' || name === 'interactive_timeout') persisted[name] = Number(row.value);
  }
  return persisted;
}
