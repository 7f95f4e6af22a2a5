/**
 * The bench tests' own user, created before a file's tests and dropped after them, and a count
 * of the connections that user made. The server's global `Connections` counter also counts
 * every other client (another test's admin connection, a monitoring agent on a server given by
 * MYSQL_TEST_URL); the per-user count is exact. MariaDB keeps it in USER_STATISTICS once
 * `userstat` is on (this helper turns it on, and back off after); MySQL in performance_schema.
 */
import { after, before } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection } from '../helpers/target.ts';

/** Room for other clients' connections where a test reads the global `Connections` counter. */
export const OTHER_CLIENTS_SLACK = 10;

export interface BenchUser {
  readonly user: string;
  readonly password: string;
  server(): TestServer;
  /** A root connection for setting up and inspecting state. */
  admin(): Connection;
  /** Connections this user has made since the server started counting (successful logins only). */
  connectionsMade(): Promise<number>;
}

/**
 * Registers before/after hooks that create and drop `user`; use the result inside tests.
 * `ready` gets the server and the admin connection once the user exists (node:test does not
 * promise to finish one before() hook before the next starts).
 */
export function useBenchUser(
  user: string,
  password: string,
  ready: (setup: { server: TestServer; admin: Connection }) => void = () => undefined,
): BenchUser {
  let server: TestServer | undefined;
  let admin: Connection | undefined;
  /** MariaDB's userstat before this file turned it on; null on MySQL, which has no such variable. */
  let userstatBefore: string | null = null;

  before(async () => {
    server = await sharedServer();
    admin = await adminConnection(server);
    await admin.query(`CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY '${password}'`);
    const [rows] = await admin.query<RowDataPacket[]>("SHOW GLOBAL VARIABLES LIKE 'userstat'");
    if (rows[0]) {
      userstatBefore = String(rows[0].Value);
      await admin.query('SET GLOBAL userstat = 1');
    }
    ready({ server, admin });
  });
  after(async () => {
    if (!admin) return;
    await admin.query(`DROP USER IF EXISTS '${user}'@'%'`);
    if (userstatBefore !== null)
      await admin.query(`SET GLOBAL userstat = ${userstatBefore === 'ON' ? 1 : 0}`);
    await admin.end();
  });

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is set up in before(): use it inside a test`);
    return value;
  };
  return {
    user,
    password,
    server: () => need(server, 'the server'),
    admin: () => need(admin, 'the admin connection'),
    async connectionsMade() {
      const source =
        userstatBefore !== null ? 'information_schema.USER_STATISTICS' : 'performance_schema.users';
      const [rows] = await need(admin, 'the admin connection').query<RowDataPacket[]>(
        `SELECT TOTAL_CONNECTIONS AS made FROM ${source} WHERE USER = ?`,
        [user],
      );
      return Number(rows[0]?.made ?? 0);
    },
  };
}
