/** What one tick reads from the server: plain data, so the diff and the verdicts are pure. */

/** One row of the server's connection list (processlist). */
export interface ConnectionRow {
  id: number;
  user: string;
  /** As the server shows it: "10.0.0.5:51234" over TCP, "localhost" over a socket. */
  host: string;
  db: string | null;
  command: string;
  /** Seconds in the current command; for `Sleep` that is how long the connection has been idle. */
  time: number;
  state: string | null;
}

/** The global status counters read beside the connection list. */
export const COUNTER_NAMES = [
  'Connections',
  'Threads_created',
  'Aborted_clients',
  'Threads_connected',
  'Uptime',
] as const;
type CounterName = (typeof COUNTER_NAMES)[number];
export type Counters = Partial<Record<CounterName, number>>;

export interface Snapshot {
  /** Milliseconds since the epoch, from the injected clock. */
  at: number;
  connections: ConnectionRow[];
  counters: Counters;
  /** The global wait_timeout: the idle limit a non-interactive client starts with. */
  waitTimeout: number;
}

/** "user@host" without the client's port: one application instance, whatever port it connects from. */
export function clientOf(row: Pick<ConnectionRow, 'user' | 'host'>): string {
  return `${row.user}@${hostWithoutPort(row.host)}`;
}

export function hostWithoutPort(host: string): string {
  const match = /^(.+):\d+$/.exec(host);
  return match ? (match[1] as string) : host;
}

/** Seconds a connection has been idle: only a sleeping connection's clock runs toward wait_timeout. */
export const idleSeconds = (row: Pick<ConnectionRow, 'command' | 'time'>): number =>
  row.command === 'Sleep' ? row.time : 0;
