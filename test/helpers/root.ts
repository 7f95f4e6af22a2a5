import { userInfo } from 'node:os';

/**
 * Tests that build network namespaces, veth pairs and nftables rules need root (CI runs as
 * root). Without it they fail with this sentence rather than pass without testing anything.
 */
export function requireRoot(what: string): void {
  if (userInfo().uid !== 0) {
    throw new Error(
      `${what} needs root (network namespaces, veth pairs and nftables rules); CI runs as root. Run the tests as root, e.g. sudo npm test -- test/commands/probe-idle-nat.test.ts.`,
    );
  }
}
