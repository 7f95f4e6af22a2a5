/**
 * The throwaway server with TLS, shared by the bench TLS test and the TLS proofs. Its
 * certificate (test/bench/tls/server-cert.pem, self-signed, so also its own CA) names
 * 127.0.0.1 and localhost; the server also listens on 127.0.0.2, an address of this machine
 * that the certificate does not name, for the identity check. It trusts client certificates
 * signed by that same certificate (client-cert.pem).
 */
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from './server.ts';

export const tlsFixture = (name: string): string =>
  fileURLToPath(new URL(`../bench/tls/${name}`, import.meta.url));

/** An address of this machine that reaches the TLS server but is not in its certificate. */
export const UNNAMED_ADDRESS = '127.0.0.2';

export function startTlsTestServer(): Promise<TestServer> {
  return startTestServer({
    args: [
      `--ssl-cert=${tlsFixture('server-cert.pem')}`,
      `--ssl-key=${tlsFixture('server-key.pem')}`,
      `--ssl-ca=${tlsFixture('server-cert.pem')}`,
      `--bind-address=127.0.0.1,${UNNAMED_ADDRESS}`,
    ],
  });
}
