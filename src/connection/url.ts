import { usageError } from '../output/errors.ts';
import { type ConnectionSettings, parsePort, parseProtocol, parseSeconds, parseSslMode } from './settings.ts';

const SCHEMES = new Set(['mysql:', 'mariadb:']);

/** True for URLs this tool understands; DATABASE_URL may well point at another kind of database. */
export function isMysqlUrl(text: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(text.trim())?.[1]?.toLowerCase();
  return scheme !== undefined && SCHEMES.has(scheme);
}

/**
 * `mysql://user:pass@host:port/database?ssl-mode=REQUIRED&socket=/run/mysqld/mysqld.sock`.
 * User and password are percent-decoded; query parameters accept dashes or underscores.
 */
export function parseConnectionUrl(text: string, where: string): ConnectionSettings {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw usageError(
      `The connection URL ${where} is not a valid URL; expected mysql://user:password@host:port/database.`,
    );
  }
  if (!SCHEMES.has(url.protocol)) {
    throw usageError(
      `The connection URL ${where} starts with "${url.protocol}//"; dbcache needs a mysql:// or mariadb:// URL.`,
    );
  }
  const settings: ConnectionSettings = {};
  const decode = (part: string, what: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw usageError(`The ${what} in the connection URL ${where} has a broken %-escape.`);
    }
  };
  if (url.hostname) {
    // Brackets stay around IPv6 literals in URL.hostname; drivers want the bare address.
    settings.host = decode(url.hostname.replace(/^\[(.*)\]$/, '$1'), 'host');
  }
  const wrap = <T>(parse: () => T): T => {
    try {
      return parse();
    } catch (err) {
      throw usageError((err as Error).message);
    }
  };
  if (url.port) settings.port = wrap(() => parsePort(url.port, `in the connection URL ${where}`));
  if (url.username) settings.user = decode(url.username, 'user name');
  if (url.password) settings.password = decode(url.password, 'password');
  const database = decode(url.pathname.replace(/^\//, ''), 'database name');
  if (database) settings.database = database;

  for (const [rawKey, value] of url.searchParams) {
    const key = rawKey.toLowerCase().replace(/_/g, '-');
    const inUrl = `in the connection URL ${where}`;
    switch (key) {
      case 'ssl-mode':
      case 'sslmode':
        settings.sslMode = wrap(() => parseSslMode(value, inUrl));
        break;
      case 'ssl-ca':
        settings.sslCa = value;
        break;
      case 'ssl-cert':
        settings.sslCert = value;
        break;
      case 'ssl-key':
        settings.sslKey = value;
        break;
      case 'socket':
        settings.socket = value;
        break;
      case 'protocol':
        settings.protocol = wrap(() => parseProtocol(value, inUrl));
        break;
      case 'connect-timeout':
        settings.connectTimeout = wrap(() => parseSeconds(value, inUrl));
        break;
      default:
        throw usageError(
          `The connection URL ${where} has the parameter "${rawKey}", which dbcache does not know; it knows ssl-mode, ssl-ca, ssl-cert, ssl-key, socket, protocol and connect-timeout.`,
        );
    }
  }
  return settings;
}
