/**
 * A silent NAT / stateful firewall made of real kernel parts: a network namespace joined to
 * this one by a veth pair, with nftables dropping `ct state invalid` packets, strict TCP
 * tracking (nf_conntrack_tcp_loose=0) and a short nf_conntrack_tcp_timeout_established, all
 * set inside the namespace only (the machine's own settings are untouched). Once a flow's
 * conntrack entry expires, its next packet is invalid and vanishes: the client hangs.
 *
 * Names are unique per run, the addresses are a link-local /30 that exists only on this veth
 * pair, and remove() deletes the namespace and the pair.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { requireRoot } from './root.ts';

export interface Namespace {
  name: string;
  /** This side of the veth pair. */
  hostAddress: string;
  /** The namespace's side: where a server started in it can be reached. */
  innerAddress: string;
  /** Prefix that runs a program inside the namespace. */
  launcher: string[];
  remove(): Promise<void>;
}

async function sh(args: string[], input?: string): Promise<string> {
  try {
    return await new Promise((resolve, reject) => {
      const child = execFile(args[0] as string, args.slice(1), (error, stdout, stderr) =>
        error ? reject(Object.assign(error, { stderr })) : resolve(stdout),
      );
      // A program that never reads its input (ip, sysctl) may exit first: that is no error.
      child.stdin?.on('error', () => undefined);
      if (input === undefined) child.stdin?.end();
      else child.stdin?.end(input);
    });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`${args.join(' ')} failed: ${stderr.trim() || (err as Error).message}`);
  }
}

/** A /30 in 169.254.0.0/16 that no interface here uses. */
async function unusedSubnet(): Promise<[string, string]> {
  const used = await sh(['ip', '-4', '-o', 'addr', 'show']);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const [third = 1, fourth = 0] = randomBytes(2);
    const base = `169.254.${1 + (third % 253)}.${fourth & 0xfc}`;
    const prefix = base.slice(0, base.lastIndexOf('.') + 1);
    const first = fourth & 0xfc;
    const host = `${prefix}${first + 1}`;
    const inner = `${prefix}${first + 2}`;
    if (!used.includes(` ${host}/`) && !used.includes(` ${inner}/`)) return [host, inner];
  }
  throw new Error('Could not find an unused link-local /30 for the test namespace.');
}

export interface FirewallOptions {
  /** nf_conntrack_tcp_timeout_established inside the namespace, seconds. */
  establishedTimeout: number;
}

export async function createFirewalledNamespace(options: FirewallOptions): Promise<Namespace> {
  requireRoot('The silent NAT/firewall test');
  const id = randomBytes(3).toString('hex');
  const name = `dbcache-probe-${process.pid}-${id}`;
  const outer = `dbp${id}o`;
  const inner = `dbp${id}i`;
  const [hostAddress, innerAddress] = await unusedSubnet();
  const inside = (...args: string[]) => sh(['ip', 'netns', 'exec', name, ...args]);
  let created = false;
  const remove = async () => {
    // Deleting the namespace frees its end of the pair; this end is deleted too, at once.
    if (created) await sh(['ip', 'netns', 'del', name]).catch(() => undefined);
    await sh(['ip', 'link', 'del', outer]).catch(() => undefined);
  };
  try {
    await sh(['ip', 'netns', 'add', name]);
    created = true;
    await sh(['ip', 'link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
    await sh(['ip', 'link', 'set', inner, 'netns', name]);
    await sh(['ip', 'addr', 'add', `${hostAddress}/30`, 'dev', outer]);
    await sh(['ip', 'link', 'set', outer, 'up']);
    await inside('ip', 'addr', 'add', `${innerAddress}/30`, 'dev', inner);
    await inside('ip', 'link', 'set', inner, 'up');
    await inside('ip', 'link', 'set', 'lo', 'up');
    // The rules first: they turn connection tracking on in the namespace, and with it the sysctls.
    await sh(
      ['ip', 'netns', 'exec', name, 'nft', '-f', '-'],
      [
        'table inet dbcache_probe {',
        '  chain input { type filter hook input priority 0; policy accept; ct state invalid drop; }',
        '  chain output { type filter hook output priority 0; policy accept; ct state invalid drop; }',
        '}',
        '',
      ].join('\n'),
    );
    await inside(
      'sysctl',
      '-q',
      '-w',
      'net.netfilter.nf_conntrack_tcp_loose=0',
      `net.netfilter.nf_conntrack_tcp_timeout_established=${options.establishedTimeout}`,
    );
  } catch (err) {
    await remove();
    throw err;
  }
  return { name, hostAddress, innerAddress, launcher: ['ip', 'netns', 'exec', name], remove };
}
