import { userInfo } from 'node:os';

/**
 * Some tests need root, which CI has: giving a file another owner, running dbcache as another
 * user (setpriv), building network namespaces, veth pairs and nftables rules. Without it they
 * fail with this sentence rather than pass without asserting anything.
 */
export function requireRoot(what: string): void {
  if (userInfo().uid !== 0) {
    throw new Error(`${what} needs root, which CI has: run the tests as root (e.g. sudo npm test).`);
  }
}
