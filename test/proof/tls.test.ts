/**
 * The README's TLS modes and client certificates on the real TLS test server (the one the bench
 * TLS test starts): VERIFY_CA checks the chain only, VERIFY_IDENTITY also the name, a client
 * certificate is sent, and a TLS failure exits 3.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { ConnectionFlags } from '../../src/connection/sources.ts';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, runCli, tcpTarget } from '../helpers/target.ts';
import { startTlsTestServer, tlsFixture, UNNAMED_ADDRESS } from '../helpers/tls-server.ts';

let server: TestServer;
let admin: Connection;
const USER = { user: 'tls_proof', password: 'tls-proof-pw' };
const CERT_USER = { user: 'tls_cert', password: 'tls-cert-pw' };
before(async () => {
  server = await startTlsTestServer();
  admin = await adminConnection(server);
  // Any host: the connections to 127.0.0.2 come from 127.0.0.2.
  await admin.query(`CREATE USER '${USER.user}'@'%' IDENTIFIED BY '${USER.password}'`);
  await admin.query(
    `CREATE USER '${CERT_USER.user}'@'%' IDENTIFIED BY '${CERT_USER.password}' REQUIRE SUBJECT '/CN=dbcache test client'`,
  );
});
after(async () => {
  await admin?.end();
  await server?.stop();
});

const CA = tlsFixture('server-cert.pem');

/** Connects as the CLI would with these flags; resolves with the TLS version and the client certificate the server saw. */
async function connect(flags: ConnectionFlags): Promise<{ tls: string; verified: string }> {
  const { io } = memoryIO();
  const connection = await tcpTarget(server, io, { ...USER, ...flags }).connect();
  try {
    const [rows] = await connection.query<RowDataPacket[]>(
      "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')",
    );
    const [peer] = await connection.query<RowDataPacket[]>('SELECT CURRENT_USER() AS account');
    const version = String(rows.find((row) => row.Variable_name === 'Ssl_version')?.Value ?? '');
    return { tls: version, verified: String(peer[0]?.account) };
  } finally {
    await connection.end();
  }
}

async function refusal(flags: ConnectionFlags): Promise<UserError> {
  try {
    await connect(flags);
  } catch (err) {
    assert.ok(err instanceof UserError, `a plain-sentence error, got ${String(err)}`);
    return err;
  }
  assert.fail('the connection was expected to fail');
}

test('VERIFY_CA checks the chain, not the name: it connects to an address the certificate does not name', async () => {
  assert.match((await connect({ sslMode: 'VERIFY_CA', sslCa: CA })).tls, /^TLSv1\.[23]$/);
  const unnamed = await connect({ sslMode: 'VERIFY_CA', sslCa: CA, host: UNNAMED_ADDRESS });
  assert.match(unnamed.tls, /^TLSv1\.[23]$/);
});

test('VERIFY_IDENTITY also checks the name: 127.0.0.1 (named) passes, 127.0.0.2 (not named) fails with exit 3', async () => {
  assert.match((await connect({ sslMode: 'VERIFY_IDENTITY', sslCa: CA })).tls, /^TLSv1\.[23]$/);
  const err = await refusal({ sslMode: 'VERIFY_IDENTITY', sslCa: CA, host: UNNAMED_ADDRESS });
  assert.equal(err.exitCode, ExitCode.connection);
  assert.match(err.message, /TLS handshake with 127\.0\.0\.2:\d+ failed/);
  assert.match(err.message, /and name this host/);
});

test('VERIFY_CA without a CA that signed the certificate fails with exit 3; REQUIRED does not verify', async () => {
  const untrusted = await refusal({ sslMode: 'VERIFY_CA' });
  assert.equal(untrusted.exitCode, ExitCode.connection);
  assert.match(untrusted.message, /must be trusted \(--ssl-ca\)/);
  // A CA that did not sign it: the client certificate is not a CA of the server's.
  const wrongCa = await refusal({ sslMode: 'VERIFY_CA', sslCa: tlsFixture('client-cert.pem') });
  assert.equal(wrongCa.exitCode, ExitCode.connection);
  assert.match((await connect({ sslMode: 'REQUIRED' })).tls, /^TLSv1\.[23]$/);
});

test('a client certificate is sent with --ssl-cert/--ssl-key: an account that requires it gets in only with it', async () => {
  const withCert = await connect({
    ...CERT_USER,
    sslMode: 'VERIFY_IDENTITY',
    sslCa: CA,
    sslCert: tlsFixture('client-cert.pem'),
    sslKey: tlsFixture('client-key.pem'),
  });
  assert.equal(withCert.verified, `${CERT_USER.user}@%`);
  const without = await refusal({ ...CERT_USER, sslMode: 'VERIFY_IDENTITY', sslCa: CA });
  assert.equal(without.exitCode, ExitCode.authentication, 'the server refused the login: exit 4, not 3');
});

test('the CLI exits 3 on a TLS failure: a name mismatch, and REQUIRED against a server without TLS', async () => {
  const flags = ['--no-defaults', '-P', String(server.port), '-u', USER.user, `--password=${USER.password}`];
  const mismatch = await runCli([
    'check-timeout',
    ...flags,
    '-h',
    UNNAMED_ADDRESS,
    '--ssl-mode',
    'VERIFY_IDENTITY',
    '--ssl-ca',
    CA,
  ]);
  assert.equal(mismatch.code, ExitCode.connection, mismatch.stderr);
  assert.match(mismatch.stderr, /TLS handshake with 127\.0\.0\.2/);
  assert.doesNotMatch(mismatch.stderr, /\n\s+at /, 'no stack trace');

  const plain = await sharedServer(); // the suite's server runs without TLS
  const noTls = await runCli([
    'check-timeout',
    '--no-defaults',
    '-h',
    plain.host,
    '-P',
    String(plain.port),
    '-u',
    plain.user,
    '--ssl-mode',
    'REQUIRED',
  ]);
  assert.equal(noTls.code, ExitCode.connection, noTls.stderr);
  assert.match(noTls.stderr, /does not offer TLS/);
});
