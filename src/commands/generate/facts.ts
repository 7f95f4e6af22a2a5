import type { Connection } from 'mysql2/promise';
import type { TimeoutSource } from '../../generate/context.ts';
import { IDENTITY_VARIABLES, identifyServer } from '../../server/identity.ts';
import { readTimeouts } from '../../server/timeouts.ts';

/**
 * The timeout a pooled connection gets (the shared reader's poolTimeout: this connection's session
 * wait_timeout, which also picks up init_connect changes), and what else the output mentions.
 */
export async function readTimeoutSource(connection: Connection, address: string): Promise<TimeoutSource> {
  const timeouts = await readTimeouts(connection, ['max_connections', ...IDENTITY_VARIABLES]);
  const identity = identifyServer(timeouts.global);
  const maxConnections = timeouts.global.max_connections;
  return {
    waitTimeout: timeouts.poolTimeout,
    measured: {
      address,
      flavor: identity.flavor,
      version: identity.version,
      globalWaitTimeout: timeouts.globalTimeouts.wait_timeout,
      interactiveTimeout: timeouts.globalTimeouts.interactive_timeout,
      maxConnections: maxConnections === undefined ? null : Number(maxConnections),
    },
  };
}
