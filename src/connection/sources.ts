import { UserError, usageError } from '../output/errors.ts';
import { ExitCode } from '../output/exit-codes.ts';
import {
  type ConnectionSettings,
  parsePort,
  parseProtocol,
  parseSeconds,
  parseSslMode,
  type SettingsLayer,
} from './settings.ts';
import { isMysqlUrl, parseConnectionUrl } from './url.ts';

/** The connection flags as yargs hands them over (names follow the mysql client). */
export interface ConnectionFlags {
  host?: string;
  port?: string;
  user?: string;
  password?: string;
  /** Set by argv normalization for a bare `-p` / `--password`: prompt for it. */
  passwordPrompt?: boolean;
  socket?: string;
  database?: string;
  protocol?: string;
  connectTimeout?: string;
  statementTimeout?: string;
  sslMode?: string;
  sslCa?: string;
  sslCert?: string;
  sslKey?: string;
  /** An array when repeated. */
  url?: string | string[];
  defaultsFile?: string;
  defaultsExtraFile?: string;
  noDefaults?: boolean;
}

/** The connection flags that take a value, by their long name (`--password` alone means "ask"). */
const VALUE_FLAGS: Array<[string, keyof ConnectionFlags]> = [
  ['host', 'host'],
  ['port', 'port'],
  ['user', 'user'],
  ['socket', 'socket'],
  ['database', 'database'],
  ['protocol', 'protocol'],
  ['connect-timeout', 'connectTimeout'],
  ['statement-timeout', 'statementTimeout'],
  ['ssl-mode', 'sslMode'],
  ['ssl-ca', 'sslCa'],
  ['ssl-cert', 'sslCert'],
  ['ssl-key', 'sslKey'],
  ['url', 'url'],
  ['defaults-file', 'defaultsFile'],
  ['defaults-extra-file', 'defaultsExtraFile'],
];

/**
 * Refuses a connection flag given with no value (`-h` last on the line, `-h ''`, `--socket=`), as
 * the mysql client does. Most often it is `-h $DB_HOST` with the variable unset: dropping the flag
 * would quietly act on another server (the local one). `typed(long)` says how the user wrote it.
 */
export function refuseEmptyFlags(flags: ConnectionFlags, typed: (long: string) => string): void {
  for (const [long, field] of VALUE_FLAGS) {
    // A list flag (check-timeout's --url) is refused with no value at all, or any empty one.
    const value = flags[field];
    const values = Array.isArray(value) ? (value.length === 0 ? [''] : value) : [value];
    if (!values.some((one) => typeof one === 'string' && one.trim() === '')) continue;
    throw usageError(
      `${typed(long)} was given no value (an unset variable, as in -h $DB_HOST, gives that). Give it a value, or leave the flag out to use the default.`,
    );
  }
}

const asUsage = <T>(parse: () => T): T => {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw usageError((err as Error).message);
  }
};

export function flagsLayer(flags: ConnectionFlags, source: string): SettingsLayer {
  const settings: ConnectionSettings = {};
  if (flags.host !== undefined) settings.host = flags.host;
  if (flags.port !== undefined)
    settings.port = asUsage(() => parsePort(String(flags.port), 'given with --port'));
  if (flags.user !== undefined) settings.user = flags.user;
  if (flags.passwordPrompt) settings.password = null;
  else if (flags.password !== undefined) settings.password = flags.password;
  if (flags.socket !== undefined) settings.socket = flags.socket;
  if (flags.database !== undefined) settings.database = flags.database;
  if (flags.protocol !== undefined) {
    settings.protocol = asUsage(() => parseProtocol(flags.protocol as string, 'given with --protocol'));
  }
  if (flags.connectTimeout !== undefined) {
    settings.connectTimeout = asUsage(() =>
      parseSeconds(String(flags.connectTimeout), 'given with --connect-timeout'),
    );
  }
  if (flags.statementTimeout !== undefined) {
    settings.statementTimeout = asUsage(() =>
      parseSeconds(String(flags.statementTimeout), 'given with --statement-timeout'),
    );
  }
  if (flags.sslMode !== undefined) {
    settings.sslMode = asUsage(() => parseSslMode(flags.sslMode as string, 'given with --ssl-mode'));
  }
  if (flags.sslCa !== undefined) settings.sslCa = flags.sslCa;
  if (flags.sslCert !== undefined) settings.sslCert = flags.sslCert;
  if (flags.sslKey !== undefined) settings.sslKey = flags.sslKey;
  return { source, settings };
}

/** `--url`, else DATABASE_URL when it is a MySQL URL (it may belong to another database). */
export function urlLayer(
  flags: ConnectionFlags,
  env: Record<string, string | undefined>,
): SettingsLayer | undefined {
  // Repeated, --url names several servers (check-timeout's fleet); one server is the last named.
  const url = [flags.url].flat().at(-1);
  if (url !== undefined) {
    return { source: 'connection URL (--url)', settings: parseConnectionUrl(url, 'given with --url') };
  }
  const fromEnv = env.DATABASE_URL;
  if (fromEnv && isMysqlUrl(fromEnv)) {
    return {
      source: 'connection URL (DATABASE_URL)',
      settings: parseConnectionUrl(fromEnv, 'in DATABASE_URL'),
    };
  }
  return undefined;
}

/** The variables the mysql client itself reads, with the same meaning. */
export function environmentLayer(env: Record<string, string | undefined>): SettingsLayer {
  const settings: ConnectionSettings = {};
  if (env.MYSQL_HOST) settings.host = env.MYSQL_HOST;
  if (env.MYSQL_TCP_PORT) {
    settings.port = asUsage(() => parsePort(env.MYSQL_TCP_PORT as string, 'in MYSQL_TCP_PORT'));
  }
  if (env.MYSQL_UNIX_PORT) settings.socket = env.MYSQL_UNIX_PORT;
  if (env.MYSQL_PWD !== undefined) settings.password = env.MYSQL_PWD;
  return { source: 'environment', settings };
}

/** One option as read from an option file (see src/optionfile). */
export interface ClientOption {
  name: string;
  value: string | null;
  file: string;
  line: number;
}

/**
 * The `[client]`-family options the connection cares about. Options are in read order and the
 * last one wins, as in the client; unknown options are ignored because these groups are shared
 * with every other client program.
 */
export function optionFileLayer(options: ClientOption[]): SettingsLayer {
  const settings: ConnectionSettings = {};
  const fieldSources: SettingsLayer['fieldSources'] = {};
  const where = (option: ClientOption) => `in ${option.file} line ${option.line}`;
  for (const option of options) {
    const value = option.value;
    const before = { ...settings };
    try {
      switch (option.name) {
        case 'host':
          if (value !== null) settings.host = value;
          break;
        case 'port':
          if (value !== null) settings.port = parsePort(value, where(option));
          break;
        case 'user':
          if (value !== null) settings.user = value;
          break;
        case 'password':
          settings.password = value;
          break;
        case 'socket':
          if (value !== null) settings.socket = value;
          break;
        case 'database':
          if (value !== null) settings.database = value;
          break;
        case 'protocol':
          if (value !== null) settings.protocol = parseProtocol(value, where(option));
          break;
        case 'connect_timeout':
          if (value !== null) settings.connectTimeout = parseSeconds(value, where(option));
          break;
        case 'ssl_mode':
          if (value !== null) settings.sslMode = parseSslMode(value, where(option));
          break;
        case 'ssl':
          // MariaDB's client: a bare `ssl` asks for TLS; `ssl=0` / `skip-ssl` turns it off.
          settings.sslMode =
            value === null || value === '1' || value.toUpperCase() === 'ON' ? 'REQUIRED' : 'DISABLED';
          break;
        case 'skip_ssl':
          settings.sslMode = 'DISABLED';
          break;
        case 'ssl_verify_server_cert':
          if (value === null || value === '1' || value.toUpperCase() === 'ON')
            settings.sslMode = 'VERIFY_IDENTITY';
          break;
        case 'ssl_ca':
          if (value !== null) settings.sslCa = value;
          break;
        case 'ssl_cert':
          if (value !== null) settings.sslCert = value;
          break;
        case 'ssl_key':
          if (value !== null) settings.sslKey = value;
          break;
      }
    } catch (err) {
      throw new UserError((err as Error).message, ExitCode.file);
    }
    for (const name of Object.keys(settings) as Array<keyof ConnectionSettings>) {
      if (settings[name] !== before[name])
        fieldSources[name] = `option file ${option.file} line ${option.line}`;
    }
  }
  return { source: 'option files', settings, fieldSources };
}
