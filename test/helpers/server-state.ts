import type { Connection, RowDataPacket } from 'mysql2/promise';

/** One global status counter (`Connections`, `Ssl_accepts`, ...), read on the given connection. */
export async function statusCounter(admin: Connection, name: string): Promise<number> {
  const [rows] = await admin.query<RowDataPacket[]>('SHOW GLOBAL STATUS LIKE ?', [name]);
  return Number(rows[0]?.Value);
}

/**
 * How many connections `user` still has on the server (information_schema.PROCESSLIST). The
 * server drops a closed connection's thread a moment after the client's COM_QUIT, so this waits
 * up to `patienceMs` for the count to reach zero; a connection left open would stay for
 * wait_timeout (hours) and still be counted.
 */
export async function connectionsLeft(admin: Connection, user: string, patienceMs = 10_000): Promise<number> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const [rows] = await admin.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS open FROM information_schema.PROCESSLIST WHERE USER = ?',
      [user],
    );
    const open = Number(rows[0]?.open);
    if (open === 0 || Date.now() > deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
