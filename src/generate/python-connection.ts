/** The connection part of the Python targets: Django's DATABASES keys and MySQLdb connect() arguments. */
import { type Field, py } from './code.ts';
import type { ConnectionFacts } from './context.ts';

/** MySQLdb (mysqlclient) connect() arguments for TLS; empty when TLS is not asked for. */
export function mysqldbTls(connection: ConnectionFacts): { fields: Field[]; notes: string[] } {
  const { ssl } = connection;
  if (ssl.mode === 'DISABLED' || ssl.mode === 'PREFERRED') return { fields: [], notes: [] };
  const files: Field[] = [];
  if (ssl.ca) files.push({ key: 'ca', code: py(ssl.ca) });
  if (ssl.cert) files.push({ key: 'cert', code: py(ssl.cert) });
  if (ssl.key) files.push({ key: 'key', code: py(ssl.key) });
  const fields: Field[] = [];
  if (files.length)
    fields.push({ key: 'ssl', code: `{${files.map((file) => `${py(file.key)}: ${file.code}`).join(', ')}}` });
  // mysqlclient 1.4 (Debian 12) rejects ssl_mode; the ssl dict turns TLS on in every version.
  if (!files.length)
    fields.push({
      key: 'ssl_mode',
      code: py(ssl.mode),
      note: 'mysqlclient 2.0+ (1.4 needs an ssl dict with a ca)',
    });
  const notes =
    ssl.mode === 'VERIFY_IDENTITY' && files.length
      ? [
          'TLS: MySQLdb checks the certificate against the ca given; whether it also checks the host name depends on the client library it was built with.',
        ]
      : [];
  return { fields, notes };
}

/** Django's DATABASES keys for the server (ENGINE and pool keys are the caller's). */
export function djangoConnection(connection: ConnectionFacts, passwordEnv: string): Field[] {
  const { transport } = connection;
  const fields: Field[] = [];
  if (transport.kind === 'socket') {
    fields.push({
      key: 'HOST',
      code: py(transport.path),
      note: 'a HOST starting with / is the Unix socket (MySQLdb unix_socket)',
    });
  } else {
    fields.push({ key: 'HOST', code: py(transport.host) }, { key: 'PORT', code: py(String(transport.port)) });
  }
  fields.push({ key: 'USER', code: py(connection.user) });
  fields.push({
    key: 'PASSWORD',
    code: `os.environ.get(${py(passwordEnv)}, "")`,
    note: `set ${passwordEnv} in the environment`,
  });
  fields.push(
    connection.database !== undefined
      ? { key: 'NAME', code: py(connection.database) }
      : { key: 'NAME', code: py(''), note: 'no database was given: put the database name here' },
  );
  return fields;
}

/** Django's OPTIONS: passed to MySQLdb.connect(); Django 3.2 still defaults to utf8 (3-byte), so say utf8mb4. */
export function djangoOptions(connection: ConnectionFacts): Field[] {
  return [{ key: 'charset', code: py('utf8mb4') }, ...mysqldbTls(connection).fields];
}

export const CLOSE_OLD_CONNECTIONS_TRAP =
  'Django applies CONN_MAX_AGE only when a request starts and ends. Code outside requests (Celery tasks, management commands, threads, long-running workers) ' +
  'must call django.db.close_old_connections() before each unit of work, or it uses a connection the server has closed ("MySQL server has gone away").';
