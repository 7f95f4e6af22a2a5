/**
 * The connection's socket, opened while mysql2 is still loading (issue 15): the server accepts,
 * starts a thread and sends its greeting meanwhile, so the handshake starts the moment mysql2 is
 * ready instead of a round trip later. Used only when it has not failed by then: otherwise mysql2
 * opens its own, and reports what went wrong as it always does.
 */
import { connect, type Socket } from 'node:net';
import type { ResolvedConnection } from './resolve.ts';

export interface EarlySocket {
  /** The socket, or undefined when it has already failed or closed (mysql2 then opens its own). */
  take(): Socket | undefined;
}

export function openEarly(resolved: ResolvedConnection): EarlySocket {
  const { transport } = resolved;
  const socket =
    transport.kind === 'socket' ? connect(transport.path) : connect(transport.port, transport.host);
  // As mysql2 does for its own TCP sockets (enableKeepAlive, on by default): every packet goes
  // out at once, and the kernel keeps an idle connection alive (applied once connected).
  if (transport.kind !== 'socket') socket.setNoDelay(true).setKeepAlive(true, 0);
  let failed = false;
  const onFailure = () => {
    failed = true;
  };
  // Stays: an error between the handover and mysql2's own listener must not end the process.
  socket.on('error', onFailure);
  socket.once('close', onFailure);
  return {
    take() {
      socket.off('close', onFailure);
      if (!failed) return socket;
      socket.destroy();
      return undefined;
    },
  };
}
