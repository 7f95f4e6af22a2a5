import type { Options } from 'yargs';
import { SSL_MODES } from './settings.ts';

/**
 * The mysql client's connection flags, shared by every command: declared once, for yargs
 * (src/cli.ts) and for the fast path that reads a clean check-timeout command line without it
 * (src/fast-path.ts). Only a type comes from yargs, so the fast path does not load it.
 */
const CONNECTION =
  'Connection (as the mysql client; also --url, DATABASE_URL, MYSQL_HOST, MYSQL_TCP_PORT, MYSQL_UNIX_PORT, MYSQL_PWD, option files):';

/** The mysql client's connection flags, shared by every command. */
export function connectionOptions(): Record<string, Options> {
  const options: Record<string, Options> = {
    host: { alias: 'h', type: 'string', describe: 'Server host; a path starting with / is a socket' },
    port: { alias: 'P', type: 'string', describe: 'TCP port (default 3306)' },
    user: { alias: 'u', type: 'string', describe: 'User name (default: your login name)' },
    password: {
      type: 'string',
      describe: 'Password; give -p alone to be asked without echo (-pSECRET works but others can see it)',
    },
    'password-prompt': { type: 'boolean', hidden: true },
    socket: { alias: 'S', type: 'string', describe: 'Unix socket file' },
    database: { alias: 'D', type: 'string', describe: 'Default database' },
    protocol: { type: 'string', describe: 'TCP or SOCKET: force one' },
    'connect-timeout': { type: 'string', describe: 'Seconds to wait for the connection (default 10)' },
    'statement-timeout': {
      type: 'string',
      describe:
        'Seconds to wait for the answer to each statement before giving up with exit 3 (default: the --connect-timeout value)',
    },
    'ssl-mode': { type: 'string', describe: `TLS: ${SSL_MODES.join(', ')} (default PREFERRED)` },
    'ssl-ca': { type: 'string', describe: 'CA certificate file (PEM)' },
    'ssl-cert': { type: 'string', describe: 'Client certificate file (PEM)' },
    'ssl-key': { type: 'string', describe: 'Client key file (PEM)' },
    url: { type: 'string', describe: 'mysql://user:password@host:port/database (and ?ssl-mode=REQUIRED)' },
    'defaults-file': { type: 'string', describe: 'Read only this option file' },
    'defaults-extra-file': { type: 'string', describe: 'Read this option file after the global ones' },
    'no-defaults': { type: 'boolean', describe: 'Read no option files' },
  };
  for (const option of Object.values(options)) {
    option.group = CONNECTION;
    // A repeated flag means its last value, as in the mysql client (`-u root -u app` is app).
    // (check-timeout declares --url a list: it checks every server named.)
    if (option.type === 'string')
      option.coerce = (value: unknown) => (Array.isArray(value) ? value.at(-1) : value);
  }
  return options;
}
