import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMysqlUrl, parseConnectionUrl } from '../../src/connection/url.ts';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';

test('a full URL gives every part, percent-decoded', () => {
  assert.deepEqual(
    parseConnectionUrl(
      'mysql://app%40shop:p%3Ass@db1.example:3307/shop?ssl-mode=required&ssl_ca=/etc/ca.pem',
      'given',
    ),
    {
      host: 'db1.example',
      port: 3307,
      user: 'app@shop',
      password: 'p:ss',
      database: 'shop',
      sslMode: 'REQUIRED',
      sslCa: '/etc/ca.pem',
    },
  );
});

test('IPv6 hosts lose their brackets; a socket parameter is kept', () => {
  assert.deepEqual(parseConnectionUrl('mariadb://root@[::1]:3306/?socket=/run/mysqld/mysqld.sock', 'x'), {
    host: '::1',
    port: 3306,
    user: 'root',
    socket: '/run/mysqld/mysqld.sock',
  });
});

test('other schemes, bad ports and unknown parameters are usage errors', () => {
  for (const url of [
    'postgres://u@h/db',
    'mysql://h:99999/',
    'mysql://h/?sslmode=bogus',
    'mysql://h/?pool=5',
    'not a url',
  ]) {
    assert.throws(
      () => parseConnectionUrl(url, 'given with --url'),
      (err: unknown) =>
        err instanceof UserError && err.exitCode === ExitCode.usage && /URL|port|ssl-mode/.test(err.message),
      url,
    );
  }
});

test('only mysql-family URLs are taken from DATABASE_URL', () => {
  assert.equal(isMysqlUrl('mysql://x'), true);
  assert.equal(isMysqlUrl('MariaDB://x'), true);
  assert.equal(isMysqlUrl('postgresql://x'), false);
});
