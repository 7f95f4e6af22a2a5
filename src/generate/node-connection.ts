/** The connection part shared by the Node targets that take mysql2- or mariadb-style options. */

import { type Field, js, jsObject } from './code.ts';
import type { ConnectionFacts } from './context.ts';

interface NodeConnection {
  fields: Field[];
  /** True when the code must `import { readFileSync } from 'node:fs'` for certificate files. */
  readsFiles: boolean;
  /** Sentences about TLS for the comment block. */
  notes: string[];
}

interface NodeConnectionNames {
  user: 'user' | 'username';
  /** Where a socket path goes: mysql2 and mariadb take socketPath next to the rest. */
  socket: 'socketPath';
  charset: Field | null;
  /** Whose TLS options: mysql2 (and what is built on it) checks the host name only with verifyIdentity. */
  driver?: 'mysql2' | 'mariadb';
}

export function nodeConnection(
  connection: ConnectionFacts,
  passwordEnv: string,
  names: NodeConnectionNames,
  depth: number,
): NodeConnection {
  const fields: Field[] = [];
  const { transport } = connection;
  if (transport.kind === 'socket')
    fields.push({ key: names.socket, code: js(transport.path), note: 'Unix socket' });
  else fields.push({ key: 'host', code: js(transport.host) }, { key: 'port', code: js(transport.port) });
  fields.push({ key: names.user, code: js(connection.user) });
  fields.push({
    key: 'password',
    code: `process.env.${passwordEnv} ?? ''`,
    note: `set ${passwordEnv} in the environment`,
  });
  if (connection.database !== undefined) fields.push({ key: 'database', code: js(connection.database) });
  if (names.charset) fields.push(names.charset);
  const tls = nodeTls(connection, transport.kind === 'tcp', depth, names.driver ?? 'mysql2');
  if (tls.field) fields.push(tls.field);
  return { fields, readsFiles: tls.readsFiles, notes: tls.notes };
}

/** Node's tls options for the resolved ssl-mode (mysql2, mariadb and everything built on them take the same). */
export function nodeTls(
  connection: ConnectionFacts,
  overTcp: boolean,
  depth: number,
  driver: 'mysql2' | 'mariadb' = 'mysql2',
): { field: Field | null; readsFiles: boolean; notes: string[] } {
  const { ssl } = connection;
  if (ssl.mode === 'DISABLED') return { field: null, readsFiles: false, notes: [] };
  if (ssl.mode === 'PREFERRED') {
    return {
      field: null,
      readsFiles: false,
      notes: overTcp
        ? [
            'TLS: the connection was resolved with ssl-mode PREFERRED, which this driver has no equivalent for; the code connects without TLS. Add ssl options to require it.',
          ]
        : [],
    };
  }
  const fields: Field[] = [];
  let readsFiles = false;
  const file = (key: string, path: string | undefined) => {
    if (!path) return;
    readsFiles = true;
    fields.push({ key, code: `readFileSync(${js(path)})` });
  };
  file('ca', ssl.ca);
  file('cert', ssl.cert);
  file('key', ssl.key);
  const verify = ssl.mode === 'VERIFY_CA' || ssl.mode === 'VERIFY_IDENTITY';
  fields.push({
    key: 'rejectUnauthorized',
    code: verify ? 'true' : 'false',
    note: verify ? 'verify the certificate' : 'encrypted, certificate not checked (ssl-mode REQUIRED)',
  });
  // mysql2 checks the host name only when asked (lib/base/connection.js, verifyIdentity); the
  // mariadb connector checks it unless given its own checkServerIdentity.
  if (driver === 'mysql2' && ssl.mode === 'VERIFY_IDENTITY')
    fields.push({ key: 'verifyIdentity', code: 'true', note: 'and the host name (VERIFY_IDENTITY)' });
  if (driver === 'mariadb' && ssl.mode === 'VERIFY_CA') {
    // The connector reads checkServerIdentity (lib/cmd/handshake/authentication.js) but its types
    // do not list it: added outside the object literal, the code still type-checks.
    const code = `Object.assign(${jsObject(fields, depth + 1)}, {\n${'  '.repeat(depth + 2)}checkServerIdentity: () => undefined, // VERIFY_CA: the chain, not the host name\n${'  '.repeat(depth + 1)}})`;
    return { field: { key: 'ssl', code }, readsFiles, notes: [] };
  }
  return { field: { key: 'ssl', code: jsObject(fields, depth + 1) }, readsFiles, notes: [] };
}

export const TCP_KEEPALIVE_TRAP =
  'TCP keepalive (enableKeepAlive) keeps NAT and firewalls from dropping the socket, but it is not a query: it does not reset wait_timeout.';
