import type { ConnectionSettings, SettingName, SettingsLayer, SslMode } from './settings.ts';

export type Transport = { kind: 'socket'; path: string } | { kind: 'tcp'; host: string; port: number };

/** Everything needed to open a connection, plus where each choice came from (for messages). */
export interface ResolvedConnection {
  transport: Transport;
  user: string;
  /** `null`: ask the person at the terminal before connecting. */
  password: string | null | undefined;
  database: string | undefined;
  connectTimeout: number;
  /** Seconds each statement may wait for its answer (--statement-timeout; default connectTimeout). */
  statementTimeout: number;
  ssl: { mode: SslMode; ca?: string; cert?: string; key?: string };
  /** Which layer set each field that was set ("command line", "environment (MYSQL_HOST)", ...). */
  sources: Partial<Record<SettingName, string>>;
}

const DEFAULT_PORT = 3306;
const DEFAULT_CONNECT_TIMEOUT = 10;

/** Where servers put their socket on common systems, in the order the client would hope to find one. */
const DEFAULT_SOCKETS = [
  '/run/mysqld/mysqld.sock',
  '/var/run/mysqld/mysqld.sock',
  '/tmp/mysql.sock',
  '/var/lib/mysql/mysql.sock',
  '/opt/homebrew/var/mysql/mysql.sock',
];

interface ResolveContext {
  /** The login user: the mysql client's default user name. */
  loginUser: string;
  socketExists(path: string): boolean;
  platform: NodeJS.Platform;
}

/**
 * Merges the layers (first layer that sets a field wins: flags, URL, environment, option
 * files) and decides socket or TCP the way the mysql client does:
 * - `--protocol` decides when given;
 * - a host starting with `/` is a socket path;
 * - `localhost` (or no host) means the local socket when one exists, else 127.0.0.1;
 * - a port given explicitly on the command line or URL with no host means TCP, as the MariaDB
 *   client does since 10.6, rather than silently using the socket and ignoring the port.
 */
export function resolveConnection(layers: SettingsLayer[], context: ResolveContext): ResolvedConnection {
  const merged: ConnectionSettings = {};
  const sources: ResolvedConnection['sources'] = {};
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer.settings) as Array<[SettingName, unknown]>) {
      if (value === undefined || name in merged) continue;
      (merged as Record<SettingName, unknown>)[name] = value;
      sources[name] = layer.fieldSources?.[name] ?? layer.source;
    }
  }

  const port = merged.port ?? DEFAULT_PORT;
  const host = merged.host;
  const explicitPort = merged.port !== undefined && isExplicit(sources.port);
  let transport: Transport;
  if (host?.startsWith('/')) {
    transport = { kind: 'socket', path: host };
    // The path is the host setting's, whatever socket another layer named.
    sources.socket =
      sources.host === COMMAND_LINE
        ? '-h (--host) on the command line'
        : `the host set in the ${sources.host}`;
  } else if (merged.protocol === 'TCP') {
    transport = { kind: 'tcp', host: !host || host === 'localhost' ? '127.0.0.1' : host, port };
  } else if (
    merged.protocol === 'SOCKET' ||
    ((!host || host === 'localhost') && merged.socket !== undefined)
  ) {
    if (merged.protocol !== 'SOCKET' && explicitPort && !isExplicit(sources.socket)) {
      transport = { kind: 'tcp', host: '127.0.0.1', port };
    } else {
      transport = { kind: 'socket', path: merged.socket ?? firstExisting(context) ?? DEFAULT_SOCKETS[0] };
    }
  } else if (!host || host === 'localhost') {
    const found = explicitPort || context.platform === 'win32' ? undefined : firstExisting(context);
    transport = found ? { kind: 'socket', path: found } : { kind: 'tcp', host: '127.0.0.1', port };
  } else {
    transport = { kind: 'tcp', host, port };
  }

  return {
    transport,
    user: merged.user ?? context.loginUser,
    password: merged.password,
    database: merged.database,
    connectTimeout: merged.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
    statementTimeout: merged.statementTimeout ?? merged.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
    ssl: {
      mode: merged.sslMode ?? 'PREFERRED',
      ...(merged.sslCa !== undefined ? { ca: merged.sslCa } : {}),
      ...(merged.sslCert !== undefined ? { cert: merged.sslCert } : {}),
      ...(merged.sslKey !== undefined ? { key: merged.sslKey } : {}),
    },
    sources,
  };
}

const isExplicit = (source: string | undefined): boolean =>
  source === COMMAND_LINE || source?.startsWith('connection URL') === true;

export const COMMAND_LINE = 'command line';

function firstExisting(context: ResolveContext): string | undefined {
  return DEFAULT_SOCKETS.find((path) => context.socketExists(path));
}

/** "socket /run/mysqld/mysqld.sock" or "127.0.0.1:3306": how messages name the server. */
export function describeTransport(transport: Transport): string {
  if (transport.kind === 'socket') return `socket ${transport.path}`;
  const host = transport.host.includes(':') ? `[${transport.host}]` : transport.host;
  return `${host}:${transport.port}`;
}
