import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMMAND_LINE, resolveConnection } from '../../src/connection/resolve.ts';
import type { SettingsLayer } from '../../src/connection/settings.ts';
import { environmentLayer, flagsLayer, optionFileLayer, urlLayer } from '../../src/connection/sources.ts';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';

const context = (sockets: string[] = []) => ({
  loginUser: 'alice',
  socketExists: (path: string) => sockets.includes(path),
  platform: 'linux' as const,
});

const optionFile = (entries: Record<string, string | null>) =>
  optionFileLayer(
    Object.entries(entries).map(([name, value], i) => ({ name, value, file: '/etc/my.cnf', line: i + 1 })),
  );

test('command line beats URL beats environment beats option files', () => {
  const layers: SettingsLayer[] = [
    flagsLayer({ user: 'flag-user' }, COMMAND_LINE),
    urlLayer({ url: 'mysql://url-user:urlpw@url-host:3310/urldb' }, {}) as SettingsLayer,
    environmentLayer({ MYSQL_HOST: 'env-host', MYSQL_TCP_PORT: '3311', MYSQL_PWD: 'envpw' }),
    optionFile({
      host: 'file-host',
      port: '3312',
      user: 'file-user',
      password: 'filepw',
      database: 'filedb',
    }),
  ];
  const resolved = resolveConnection(layers, context());
  assert.deepEqual(resolved.transport, { kind: 'tcp', host: 'url-host', port: 3310 });
  assert.equal(resolved.user, 'flag-user');
  assert.equal(resolved.password, 'urlpw');
  assert.equal(resolved.database, 'urldb');
  assert.equal(resolved.sources.user, COMMAND_LINE);
  assert.equal(resolved.sources.host, 'connection URL (--url)');
});

test('environment beats option files, and option-file fields name their file and line', () => {
  const resolved = resolveConnection(
    [environmentLayer({ MYSQL_TCP_PORT: '3400' }), optionFile({ host: 'db9', port: '3312', user: 'app' })],
    context(),
  );
  assert.deepEqual(resolved.transport, { kind: 'tcp', host: 'db9', port: 3400 });
  assert.equal(resolved.sources.host, 'option file /etc/my.cnf line 1');
  assert.equal(resolved.sources.port, 'environment');
});

test('defaults: login user, local socket when one exists, else 127.0.0.1:3306', () => {
  const withSocket = resolveConnection([], context(['/var/run/mysqld/mysqld.sock']));
  assert.deepEqual(withSocket.transport, { kind: 'socket', path: '/var/run/mysqld/mysqld.sock' });
  assert.equal(withSocket.user, 'alice');
  assert.equal(withSocket.ssl.mode, 'PREFERRED');
  assert.equal(withSocket.connectTimeout, 10);
  assert.deepEqual(resolveConnection([], context()).transport, {
    kind: 'tcp',
    host: '127.0.0.1',
    port: 3306,
  });
  assert.deepEqual(
    resolveConnection([flagsLayer({ host: 'localhost' }, COMMAND_LINE)], context()).transport,
    {
      kind: 'tcp',
      host: '127.0.0.1',
      port: 3306,
    },
  );
});

test('a host starting with / is a socket path', () => {
  assert.deepEqual(
    resolveConnection([flagsLayer({ host: '/tmp/my.sock' }, COMMAND_LINE)], context()).transport,
    {
      kind: 'socket',
      path: '/tmp/my.sock',
    },
  );
});

test('a socket from the option files is used for localhost even if it does not exist (the error will name it)', () => {
  const resolved = resolveConnection([optionFile({ socket: '/run/missing.sock' })], context());
  assert.deepEqual(resolved.transport, { kind: 'socket', path: '/run/missing.sock' });
});

test('a port on the command line with no host means TCP, even when a socket exists', () => {
  const sockets = ['/run/mysqld/mysqld.sock'];
  assert.deepEqual(
    resolveConnection([flagsLayer({ port: '3307' }, COMMAND_LINE)], context(sockets)).transport,
    {
      kind: 'tcp',
      host: '127.0.0.1',
      port: 3307,
    },
  );
  // ...but a port in an option file next to a socket keeps the socket, as the mysql client does.
  assert.deepEqual(
    resolveConnection([optionFile({ port: '3307', socket: sockets[0] as string })], context()).transport,
    {
      kind: 'socket',
      path: sockets[0],
    },
  );
});

test('--protocol decides between socket and TCP', () => {
  assert.deepEqual(
    resolveConnection([flagsLayer({ protocol: 'tcp' }, COMMAND_LINE)], context(['/run/mysqld/mysqld.sock']))
      .transport,
    { kind: 'tcp', host: '127.0.0.1', port: 3306 },
  );
  assert.deepEqual(
    resolveConnection([flagsLayer({ protocol: 'SOCKET', socket: '/s.sock' }, COMMAND_LINE)], context())
      .transport,
    { kind: 'socket', path: '/s.sock' },
  );
});

test('a bare password line in an option file, like -p, means ask', () => {
  assert.equal(resolveConnection([optionFile({ password: null })], context()).password, null);
  assert.equal(
    resolveConnection([flagsLayer({ passwordPrompt: true }, COMMAND_LINE)], context()).password,
    null,
  );
});

test('TLS settings from option files, including MariaDB spellings', () => {
  assert.equal(
    resolveConnection([optionFile({ ssl_mode: 'verify_ca', ssl_ca: '/ca.pem' })], context()).ssl.mode,
    'VERIFY_CA',
  );
  assert.equal(resolveConnection([optionFile({ skip_ssl: null })], context()).ssl.mode, 'DISABLED');
  assert.equal(
    resolveConnection([optionFile({ ssl_verify_server_cert: null })], context()).ssl.mode,
    'VERIFY_IDENTITY',
  );
});

test('bad values are errors that name where they came from', () => {
  assert.throws(
    () => flagsLayer({ port: 'abc' }, COMMAND_LINE),
    (err: unknown) =>
      err instanceof UserError && err.exitCode === ExitCode.usage && /--port/.test(err.message),
  );
  assert.throws(
    () => environmentLayer({ MYSQL_TCP_PORT: '0' }),
    (err: unknown) => err instanceof UserError && /MYSQL_TCP_PORT/.test(err.message),
  );
  assert.throws(
    () => optionFile({ host: 'x', port: 'lots' }),
    (err: unknown) =>
      err instanceof UserError && err.exitCode === ExitCode.file && /\/etc\/my\.cnf line 2/.test(err.message),
  );
  assert.throws(() => flagsLayer({ sslMode: 'sometimes' }, COMMAND_LINE), /ssl-mode/);
});

test('DATABASE_URL is used only when it is a MySQL URL, and --url wins over it', () => {
  assert.equal(urlLayer({}, { DATABASE_URL: 'postgres://x@y/z' }), undefined);
  assert.equal(urlLayer({}, { DATABASE_URL: 'mysql://a@dbhost/z' })?.settings.host, 'dbhost');
  assert.equal(
    urlLayer({ url: 'mysql://b@flaghost' }, { DATABASE_URL: 'mysql://a@dbhost/z' })?.settings.host,
    'flaghost',
  );
});
