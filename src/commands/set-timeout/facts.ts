import type { Connection, RowDataPacket } from 'mysql2/promise';
import {
  hasSetPersist,
  IDENTITY_VARIABLES,
  identifyServer,
  type ServerIdentity,
} from '../../server/identity.ts';
import { currentAccount } from '../../server/privileges.ts';
import { IDLE_TIMEOUTS, type IdleTimeout, type IdleTimeouts, readTimeouts } from '../../server/timeouts.ts';
import { readConfigFiles } from '../../serverfiles/running-server.ts';

// The one reader of the timeouts is server/timeouts.ts; these names are what set-timeout calls it.
export { readGlobalTimeouts, readSessionTimeouts } from '../../server/timeouts.ts';
export type TimeoutVariable = IdleTimeout;
export type TimeoutValues = IdleTimeouts;
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
  /**
   * The option files the server says its settings came from; empty when it took none from a
   * file (started with --no-defaults), null or absent when it cannot say.
   */
  configFiles?: string[] | null;
}

export async function readServerFacts(connection: Connection): Promise<ServerFacts> {
  const { global: variables, globalTimeouts } = await readTimeouts(connection, [
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
    global: globalTimeouts,
    persisted,
    persistedReadError,
    persistedGlobalsLoad: load === undefined ? null : load.toUpperCase() === 'ON',
    configFiles: (await readConfigFiles(connection, identity)).files,
  };
}

export async function readPersisted(connection: Connection): Promise<PersistedValues> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT VARIABLE_NAME AS name, VARIABLE_VALUE AS value FROM performance_schema.persisted_variables WHERE VARIABLE_NAME IN (${IDLE_TIMEOUTS.map(() => '?').join(', ')})`,
    [...IDLE_TIMEOUTS],
  );
  const persisted: PersistedValues = { wait_timeout: null, interactive_timeout: null };
  for (const row of rows) {
    const name = String(row.name).toLowerCase();
    if (name === 'wait_timeout' || name === 'interactive_timeout') persisted[name] = Number(row.value);
  }
  return persisted;
}
