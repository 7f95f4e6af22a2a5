/**
 * What the probe engine needs from the world: probe connections it can ping, drop and watch
 * for closing, and a control connection that looks ids up on the server and ends them. The
 * mysql2 implementation is in mysql.ts; the engine itself never imports mysql2.
 */

export interface CloseInfo {
  /** The driver's code: PROTOCOL_CONNECTION_LOST (EOF), ECONNRESET, ETIMEDOUT, ... */
  code: string | null;
  /** The server's error number when it said something before closing (MySQL 8: 4031). */
  errno: number | null;
  message: string;
}

export interface ProbeHandle {
  /** The server's id for this connection (CONNECTION_ID()). */
  connectionId: number;
  /** The probe session's wait_timeout, seconds. */
  waitTimeout: number;
  /** When the handshake and the first statement took, ms: the round trip, roughly. */
  setupMs: number;
  /** Called once when the connection closes by itself (not after drop()). */
  onClose(listener: (info: CloseInfo) => void): void;
  /** One COM_PING; resolves on the reply, rejects with the close when the connection is gone. */
  ping(): Promise<void>;
  /** Drops the socket without a word (a black-holed flow would swallow a COM_QUIT anyway). */
  drop(): void;
  /** COM_QUIT, within the given time; drops the socket after it. */
  quit(deadlineMs: number): Promise<void>;
}

export interface ServerEntry {
  id: number;
  /** Seconds since the connection's last command started, as the server counts (PROCESSLIST TIME). */
  idleSeconds: number;
}

/** What decides how many probes the server can spare, and what to compare the result with. */
export interface ServerFacts {
  version: string;
  versionComment: string;
  /** The global value; each probe reads its own session value too. */
  waitTimeout: number;
  maxConnections: number;
  /** Per-user limit; 0: none. */
  maxUserConnections: number;
  threadsConnected: number;
  /**
   * The server's host name and port as it reports them: the same through a proxy, a load
   * balancer or the socket, so a fleet can tell targets that reach one server apart. Empty when
   * the server does not say.
   */
  identity: string;
}

export interface ProbeDriver {
  /** One control connection: the server's limits before any probe is opened. */
  serverFacts(): Promise<ServerFacts>;
  /** `keepaliveMs`: TCP keepalive after this much silence; null: none at all. */
  openProbe(keepaliveMs: number | null): Promise<ProbeHandle>;
  /** Which of these ids the server still lists (one short-lived control connection per call). */
  lookUp(ids: readonly number[]): Promise<ServerEntry[]>;
  /** KILL CONNECTION each id that is still there (one control connection); returns those ended. */
  kill(ids: readonly number[]): Promise<number[]>;
}
