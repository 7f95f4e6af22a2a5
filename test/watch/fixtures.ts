import type { ConnectionRow, Counters, Snapshot } from '../../src/watch/snapshot.ts';

/** A processlist row as the server would return it. */
export function row(id: number, fields: Partial<ConnectionRow> = {}): ConnectionRow {
  return {
    id,
    user: 'app',
    host: `10.0.0.5:${40000 + id}`,
    db: 'shop',
    command: 'Sleep',
    time: 1,
    state: null,
    ...fields,
  };
}

export function snapshot(
  at: number,
  connections: ConnectionRow[],
  counters: Counters = {},
  waitTimeout = 600,
): Snapshot {
  return {
    at,
    connections,
    counters: {
      Connections: 100,
      Threads_created: 10,
      Aborted_clients: 0,
      Threads_connected: connections.length + 1,
      Uptime: 1000,
      ...counters,
    },
    waitTimeout,
  };
}
