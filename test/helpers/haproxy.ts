/**
 * A real HAProxy (Debian's `haproxy`) in TCP mode in front of a test server, on a free port of
 * 127.0.0.1, with short `timeout client` / `timeout server`: a load balancer that closes idle
 * connections. Started in the foreground (-db) and stopped by the test.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server.ts';

export interface Haproxy {
  host: string;
  port: number;
  stop(): Promise<void>;
}

function haproxyBinary(): string {
  for (const path of ['/usr/sbin/haproxy', '/usr/bin/haproxy', '/usr/local/sbin/haproxy']) {
    if (existsSync(path)) return path;
  }
  throw new Error('HAProxy is not installed: apt-get install haproxy (what .ci/run does).');
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startHaproxy(
  backend: { host: string; port: number },
  idleTimeoutMs: number,
): Promise<Haproxy> {
  const binary = haproxyBinary();
  const dir = await mkdtemp(join(tmpdir(), 'dbcache-haproxy-'));
  const port = await freePort();
  const config = join(dir, 'haproxy.cfg');
  await writeFile(
    config,
    [
      'global',
      '  maxconn 200',
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      `  timeout client ${idleTimeoutMs}ms`,
      `  timeout server ${idleTimeoutMs}ms`,
      'listen mysql',
      `  bind 127.0.0.1:${port}`,
      `  server db ${backend.host}:${backend.port}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(binary, ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await reachable(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`HAProxy did not start: ${log.trim() || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { host: '127.0.0.1', port, stop };
}
