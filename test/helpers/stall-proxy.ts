import { createServer, type Socket, connect as tcpConnect } from 'node:net';

/** MySQL command bytes that carry a statement's text: COM_QUERY and COM_STMT_PREPARE. */
const STATEMENT_COMMANDS = new Set([0x03, 0x16]);

export interface StallOptions {
  /** Stall at the first statement whose text contains this ('' stalls at the first statement of all). */
  at: string;
  /** How many statements to stall (each on its own connection); later ones pass. Default 1. */
  times?: number;
  /** Let this many matching statements pass before the first stall. Default 0. */
  skip?: number;
}

export interface StallProxy {
  host: string;
  port: number;
  /** Statements stalled so far. */
  stalls(): number;
  /** Client connections the proxy holds open right now whose statement it stalled. */
  heldOpen(): number;
  /** Stalls again at `at` (for a test that needs a second stall point). */
  stallAt(options: StallOptions): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy to a real server that forwards the handshake and the login untouched, then stops
 * answering at a chosen statement: the statement is swallowed (never reaches the server) and
 * nothing more is passed either way on that connection, while its socket stays open. That is
 * what a stopped server, a dead proxy or a firewall that drops a flow mid-connection looks like
 * to a client. Use with --ssl-mode DISABLED: the statement text must be readable.
 */
export async function stallProxy(
  server: { host: string; port: number },
  options: StallOptions,
): Promise<StallProxy> {
  const ruleOf = (given: StallOptions): Required<StallOptions> => ({
    at: given.at,
    times: given.times ?? 1,
    skip: given.skip ?? 0,
  });
  let rule = ruleOf(options);
  let stalls = 0;
  const held = new Set<Socket>();
  const sockets = new Set<Socket>();

  const isStalledStatement = (chunk: Buffer): boolean => {
    // A command starts a new exchange: packet sequence number 0, then the command byte.
    if (rule.times <= 0 || chunk.length < 5 || chunk[3] !== 0) return false;
    if (!STATEMENT_COMMANDS.has(chunk[4] as number)) return false;
    if (!chunk.subarray(5).toString('utf8').includes(rule.at)) return false;
    if (rule.skip > 0) {
      rule = { ...rule, skip: rule.skip - 1 };
      return false;
    }
    return true;
  };

  const proxy = createServer((client) => {
    const upstream = tcpConnect(server.port, server.host);
    sockets.add(client);
    sockets.add(upstream);
    let stalled = false;
    const drop = () => {
      client.destroy();
      upstream.destroy();
      held.delete(client);
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', () => {
      if (!stalled) drop();
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!stalled) client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      if (stalled) return;
      if (isStalledStatement(chunk)) {
        stalled = true;
        stalls += 1;
        rule = { ...rule, times: rule.times - 1 };
        held.add(client);
        return;
      }
      upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as { port: number };
  return {
    host: '127.0.0.1',
    port,
    stalls: () => stalls,
    heldOpen: () => held.size,
    stallAt(next) {
      rule = ruleOf(next);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}
