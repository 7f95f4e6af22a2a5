/**
 * Who cut an idle probe: the server (its wait_timeout) or something between this host and the
 * server (a proxy, a load balancer, NAT, a stateful firewall). Pure; the facts come from the
 * probe itself and from a separate control connection that looks the probe's id up on the server.
 */

export type CutKind = 'closed' | 'black-holed';
export type Component = 'server' | 'between';

export type Evidence =
  /** The server still listed the connection after the probe lost it: it did not close it. */
  | 'server-still-had-it'
  /** Nothing answered, yet the server never closes a connection silently. */
  | 'no-answer'
  /** Cut before the server's wait_timeout could have closed it (a proxy closes both sides). */
  | 'before-wait-timeout'
  /** The server said so (MySQL 8.0.24+: error 4031, ER_CLIENT_INTERACTION_TIMEOUT). */
  | 'server-said-timeout'
  /** Closed, and gone from the server, at the server's wait_timeout. */
  | 'at-wait-timeout'
  /** Over a Unix socket nothing sits in between. */
  | 'unix-socket';

export interface CutFacts {
  kind: CutKind;
  /** The silence after which it was found cut (for a close seen while idle: when it came), ms. */
  idleMs: number;
  /** Whether the control connection still found the probe's id on the server. */
  serverStillHasIt: boolean;
  /** The probe session's wait_timeout, seconds. */
  waitTimeout: number;
  /** The server's error number, when the close came with one. */
  errno?: number;
  socket: boolean;
}

export interface Attribution {
  component: Component;
  evidence: Evidence;
}

/** How close to wait_timeout a close must come to be the server's: the server counts whole seconds. */
function waitTimeoutTolerance(waitTimeout: number): number {
  return Math.max(1000, Math.round(waitTimeout * 20));
}

const ER_CLIENT_INTERACTION_TIMEOUT = 4031;

export function attribute(facts: CutFacts): Attribution {
  if (facts.socket) return { component: 'server', evidence: 'unix-socket' };
  if (facts.serverStillHasIt) return { component: 'between', evidence: 'server-still-had-it' };
  if (facts.errno === ER_CLIENT_INTERACTION_TIMEOUT)
    return { component: 'server', evidence: 'server-said-timeout' };
  // The server answers or closes; a flow that swallows packets is something in between.
  if (facts.kind === 'black-holed') return { component: 'between', evidence: 'no-answer' };
  if (facts.idleMs < facts.waitTimeout * 1000 - waitTimeoutTolerance(facts.waitTimeout)) {
    return { component: 'between', evidence: 'before-wait-timeout' };
  }
  return { component: 'server', evidence: 'at-wait-timeout' };
}
