import type { Connection } from 'mysql2/promise';
import type { TimeoutSource } from '../../generate/context.ts';
import { IDENTITY_VARIABLES, identifyServer } from '../../server/identity.ts';
import { readVariables } from '../../server/variables.ts';

/**
 * The timeout a pooled connection gets: this connection's session wait_timeout (mysql2 does not
 * set CLIENT_INTERACTIVE, like every pool driver), which also picks up init_connect changes.
 */
export async function readTimeoutSource(connection: Connection, address: string): Promise<TimeoutSource> {
  const global = await readVariables(connection, 'GLOBAL', [
    'wait_timeout',
    'interactive_timeout',
    'max_connections',
    ...IDENTITY_VARIABLES,
  ]);
  const session = await readVariables(connection, 'SESSION', ['wait_timeout']);
  const identity = identifyServer(global);
  const waitTimeout = Number(session.wait_timeout ?? global.wait_timeout);
  return {
    waitTimeout,
    measured: {
      address,
      flavor: identity.flavor,
      version: identity.version,
      globalWaitTimeout: Number(global.wait_timeout),
      interactiveTimeout: Number(global.interactive_timeout),
      maxConnections: global.max_connections === undefined ? null : Number(global.max_connections),
    },
  };
}
