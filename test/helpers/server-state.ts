import type { Connection, RowDataPacket } from 'mysql2/promise';

/** One global status counter (`Connections`, `Ssl_accepts`, ...), read on the given connection. */
export async function statusCounter(admin: Connection, name: string): Promise<number> {
  const [rows] = await admin.query<RowDataPacket[]>('SHOW GLOBAL STATUS LIKE ?', [name]);
  return Number(rows[0]?.Value);
}

/**
 * How many connections `user` still has on the server (information_schema.PROCESSLIST). The
 * server drops a closed connection's thread a moment after the client's COM_QUIT (or a KILL), so
 * this waits up to `patienceMs` for the count to reach zero; a connection left open would stay for
 * wait_timeout (hours) and still be counted.
 */
export function connectionsLeft(admin: Connection, user: string, patienceMs = 10_000): Promise<number> {
  return countDown(admin, 'USER = ?', [user], patienceMs);
}

/**
 * How many connections other than `admin`'s own (and the server's daemons) are still listed,
 * waiting up to `patienceMs` for none, as connectionsLeft does. Against a server with a
 * wait_timeout of seconds, keep the patience well under it: the server would end a connection
 * left open, and hide it.
 */
export function otherConnectionsLeft(admin: Connection, patienceMs: number): Promise<number> {
  return countDown(admin, "ID <> CONNECTION_ID() AND COMMAND <> 'Daemon'", [], patienceMs);
}

async function countDown(
  admin: Connection,
  where: string,
  values: unknown[],
  patienceMs: number,
): Promise<number> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const [rows] = await admin.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS open FROM information_schema.PROCESSLIST WHERE ${where}`,
      values,
    );
    const open = Number(rows[0]?.open);
    if (open === 0 || Date.now() >= deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
