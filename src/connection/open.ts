import { readFileSync } from 'node:fs';
import { isIP, type Socket } from 'node:net';
import { checkServerIdentity, TLSSocket } from 'node:tls';
import { createConnection as createCoreConnection } from 'mysql2';
import type { Connection, ConnectionOptions } from 'mysql2/promise';
import { describeStop } from '../interrupt.ts';
import { isServerError, UserError } from '../output/errors.ts';
import { ExitCode, type ExitCodeValue } from '../output/exit-codes.ts';
import { describeTransport, type ResolvedConnection } from './resolve.ts';

export type { Connection };

/** A connect given up by Ctrl-C or SIGTERM: its socket is destroyed at once. Exit 130. */
class ConnectInterrupted extends UserError {
  readonly code = 'DBCACHE_INTERRUPTED';
  constructor(where: string, signal: AbortSignal) {
    super(
      `Interrupted (${describeStop(signal)}) while connecting to the server at ${where}.`,
      ExitCode.interrupted,
    );
    this.name = 'ConnectInterrupted';
  }
}

/**
 * A mysql2 connection that the server may close while it is idle (wait_timeout, KILL, a
 * restart) without ending the process: mysql2 reports that as an 'error' event, and an
 * unheard 'error' event is fatal in Node. The next query on it fails instead, and callers
 * handle that like any other failed statement. The signal gives the connect up at once, even
 * while it waits for a server that never greets: the socket is destroyed, so nothing is left
 * to keep the process up until --connect-timeout. A connect that fails closes its socket at once,
 * whatever the server does: one that answers the greeting with an error packet ("Host is
 * blocked") and keeps the connection open would otherwise keep the process up for good.
 */
export function createConnection(
  options: ConnectionOptions,
  where: string,
  signal?: AbortSignal,
): Promise<Connection> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      (options.stream as Socket | undefined)?.destroy();
      reject(new ConnectInterrupted(where, signal));
      return;
    }
    const core = createCoreConnection(options);
    core.on('error', () => undefined);
    const onAbort = () => {
      core.destroy();
      reject(new ConnectInterrupted(where, signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const onError = (err: unknown) => {
      signal?.removeEventListener('abort', onAbort);
      closeAtOnce(core);
      reject(err);
    };
    core.once('connect', () => {
      signal?.removeEventListener('abort', onAbort);
      core.off('error', onError);
      resolve(core.promise());
    });
    core.once('error', onError);
  });
}

/**
 * Closes a mysql2 connection's socket now. Its destroy() only half-closes it (a FIN) and leaves
 * the rest to the server: one that never answers (a black hole, a server that errs and stays
 * open) would keep the socket, and the process, up.
 */
export function closeAtOnce(connection: { destroy(): void }): void {
  connection.destroy();
  (connection as unknown as { stream?: Socket }).stream?.destroy();
}

/**
 * Opens one mysql2 connection. `PREFERRED` TLS over TCP is tried first with TLS and, when the
 * server has none, again without it (what the mysql client does in one handshake).
 */
export async function openConnection(
  resolved: ResolvedConnection,
  password: string | undefined,
  signal?: AbortSignal,
  socket?: Socket,
): Promise<Connection> {
  return (await openSettled(resolved, password, signal, socket)).connection;
}

/**
 * `openConnection`, also returning the mysql2 options that worked (TLS decided, password
 * included): for pools and repeated connects, which must not retry `PREFERRED`'s TLS
 * handshake (and open a second server connection) every time.
 */
export async function openSettled(
  resolved: ResolvedConnection,
  password: string | undefined,
  signal?: AbortSignal,
  socket?: Socket,
): Promise<{ connection: Connection; options: ConnectionOptions }> {
  const base = mysql2Options(resolved, password);
  const where = describeTransport(resolved.transport);
  // An already open socket serves the first attempt only (a retry without TLS needs a new one).
  let given: Socket | undefined = socket;
  const open = (options: ConnectionOptions) => {
    const stream = given;
    given = undefined;
    return createConnection(stream ? { ...options, stream } : options, where, signal);
  };
  const { mode } = resolved.ssl;
  const tryTls = mode !== 'DISABLED' && !(mode === 'PREFERRED' && resolved.transport.kind === 'socket');
  try {
    if (!tryTls) return { connection: await open(base), options: base };
    const withTls = { ...base, ssl: tlsOptions(resolved) };
    try {
      const connection = await open(withTls);
      const mismatch = mode === 'VERIFY_IDENTITY' ? ipIdentityError(connection, resolved) : undefined;
      if (mismatch) {
        connection.destroy();
        throw mismatch;
      }
      return { connection, options: withTls };
    } catch (err) {
      if (mode === 'PREFERRED' && (err as { code?: string }).code === 'HANDSHAKE_NO_SSL_SUPPORT') {
        return { connection: await open(base), options: base };
      }
      throw err;
    }
  } catch (err) {
    throw connectFailure(err, resolved, password);
  } finally {
    // Not handed to mysql2 (the TLS files could not be read): nothing else would close it.
    given?.destroy();
  }
}

/**
 * mysql2 checks that the certificate names the host only for a host name: for an IP address it
 * gives Node no server name, and Node then checks the name "localhost" instead. So for an IP
 * address the check is made here, on the certificate the server sent.
 */
function ipIdentityError(connection: Connection, resolved: ResolvedConnection): Error | undefined {
  const { transport } = resolved;
  if (transport.kind !== 'tcp' || isIP(transport.host) === 0) return undefined;
  const stream = (connection as unknown as { connection?: { stream?: unknown } }).connection?.stream;
  if (!(stream instanceof TLSSocket))
    return new Error('TLS was not established, so the certificate could not be checked');
  return checkServerIdentity(transport.host, stream.getPeerCertificate());
}

function mysql2Options(resolved: ResolvedConnection, password: string | undefined): ConnectionOptions {
  const { transport } = resolved;
  return {
    ...(transport.kind === 'socket'
      ? { socketPath: transport.path }
      : { host: transport.host, port: transport.port }),
    user: resolved.user,
    ...(password !== undefined ? { password } : {}),
    ...(resolved.database !== undefined ? { database: resolved.database } : {}),
    connectTimeout: resolved.connectTimeout * 1000,
    charset: 'utf8mb4_general_ci',
    // mysql2's interpreted row parser: the generated one compiles a function for every result
    // shape, ~1 ms per query of a one-shot command and never reused.
    disableEval: true,
  };
}

function tlsOptions(resolved: ResolvedConnection): NonNullable<ConnectionOptions['ssl']> {
  const { ssl } = resolved;
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new UserError(
        `Could not read the TLS ${what} file ${path}: ${(err as Error).message.replace(/^[A-Z]+: /, '')}.`,
        ExitCode.file,
      );
    }
  };
  const verify = ssl.mode === 'VERIFY_CA' || ssl.mode === 'VERIFY_IDENTITY';
  return {
    ...(ssl.ca ? { ca: read(ssl.ca, 'CA') } : {}),
    ...(ssl.cert ? { cert: read(ssl.cert, 'certificate') } : {}),
    ...(ssl.key ? { key: read(ssl.key, 'key') } : {}),
    rejectUnauthorized: verify,
    // VERIFY_CA checks the chain only; VERIFY_IDENTITY also that the certificate names this
    // host, which mysql2 checks only when asked (it ignores a checkServerIdentity given here).
    ...(ssl.mode === 'VERIFY_IDENTITY' ? { verifyIdentity: true } : {}),
  };
}

/** Turns what mysql2 or the network said into a sentence that names the server and the user. */
export function connectFailure(
  err: unknown,
  resolved: ResolvedConnection,
  password: string | undefined,
): Error {
  if (err instanceof UserError) return err;
  const where = describeTransport(resolved.transport);
  const code = (err as { code?: string }).code;
  const raw = err instanceof Error ? err.message : String(err);
  const fail = (message: string, exitCode: ExitCodeValue = ExitCode.connection) =>
    new UserError(message, exitCode, { cause: err });
  const socketPath = resolved.transport.kind === 'socket' ? resolved.transport.path : undefined;
  const from = (field: 'host' | 'socket' | 'port') =>
    resolved.sources[field] ? ` (${field} from ${resolved.sources[field]})` : '';

  if (isServerError(err)) {
    const user = `'${resolved.user}'`;
    switch (err.errno) {
      case 1045:
      case 1698:
        return fail(
          `The server at ${where} refused user ${user} (using password: ${password ? 'YES' : 'NO'}): the password is wrong, or the user does not exist for this host. Check --user and --password (or MYSQL_PWD, or the option files).`,
          ExitCode.authentication,
        );
      case 1130:
        return fail(
          `The server at ${where} does not let this host connect as any user; ask the administrator to create the user for this host.`,
          ExitCode.authentication,
        );
      case 1044:
        return fail(
          `User ${user} may not use the database '${resolved.database ?? ''}' on ${where}; choose another with --database, or ask for access.`,
          ExitCode.privilege,
        );
      case 1049:
        return fail(
          `The database '${resolved.database ?? ''}' does not exist on ${where}; check --database.`,
        );
      case 1040:
        return fail(
          `The server at ${where} has too many connections (max_connections reached) and refused a new one.`,
        );
    }
    return fail(`The server at ${where} refused the connection: ${err.sqlMessage ?? raw}`);
  }
  switch (code) {
    case 'ECONNREFUSED':
      return socketPath
        ? fail(
            `Could not connect to the server through socket ${socketPath}${from('socket')}: connection refused. The socket exists but no server is listening on it; is the server running?`,
          )
        : fail(
            `Could not connect to the server at ${where}${from('port')}: connection refused. Is the server running and listening on that port? (check --host and --port)`,
          );
    case 'ENOENT':
      return fail(
        `Could not connect through socket ${socketPath}${from('socket')}: no such file. Is the server running on this machine? Give its socket with --socket, or use --host 127.0.0.1 to connect over TCP.`,
      );
    case 'EACCES':
      return fail(`Could not connect through socket ${socketPath}: permission denied for this user.`);
    case 'ETIMEDOUT':
      return fail(
        `Could not connect to the server at ${where}: no answer within ${resolved.connectTimeout} s (--connect-timeout). Check the host, the port and any firewall in between.`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(`Could not connect: the host name in ${where}${from('host')} could not be resolved.`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail(`Could not connect to the server at ${where}: the network says the host is unreachable.`);
    case 'HANDSHAKE_NO_SSL_SUPPORT':
      return fail(
        `The server at ${where} does not offer TLS, and --ssl-mode ${resolved.ssl.mode} requires it. Enable TLS on the server, or use --ssl-mode PREFERRED.`,
      );
    case 'PROTOCOL_CONNECTION_LOST':
    case 'ECONNRESET':
      return fail(`The server at ${where} closed the connection during the handshake: ${raw}`);
  }
  if (/certificate|self[- ]signed|SSL|TLS/i.test(raw)) {
    return fail(
      `The TLS handshake with ${where} failed: ${raw}. With --ssl-mode ${resolved.ssl.mode} the server certificate must be trusted (--ssl-ca)${resolved.ssl.mode === 'VERIFY_IDENTITY' ? ' and name this host' : ''}.`,
    );
  }
  // mysql2 reading a greeting that is not MySQL's (an HTTP server, garbage): its parser runs out of bytes.
  if (err instanceof RangeError || code === 'ERR_OUT_OF_RANGE' || code === 'ERR_BUFFER_OUT_OF_BOUNDS') {
    return fail(
      `The server at ${where}${from('port')} did not answer like a MySQL or MariaDB server (its greeting could not be read: ${raw}). Check the host and the port.`,
    );
  }
  return fail(`Could not connect to the server at ${where}: ${raw}`);
}
