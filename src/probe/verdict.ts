/**
 * What a probe run means: which component closes idle connections first from this host, how
 * (closed or black-holed), and what follows for the pool. Pure: from the run's findings only.
 */
import type { Component, CutKind, Evidence } from './attribution.ts';

export type Verdict =
  /** The server's wait_timeout closed the probes first. */
  | 'server'
  /** Nothing closed an idle probe up to the longest silence tested. */
  | 'no-cut'
  /** Something between this host and the server closed them earlier (FIN or RST). */
  | 'closed-between'
  /** Something between this host and the server silently forgot them earlier. */
  | 'black-holed-between'
  /** Stopped (Ctrl-C) before the answer was known. */
  | 'interrupted';

export type KeepaliveAdvice =
  /** Black-holed, and keepalive carried a probe through: the pool needs it (or a shorter lifetime). */
  | 'needed'
  /** Closed, and keepalive carried a probe through: it would help, a shorter lifetime does too. */
  | 'helps'
  /** Keepalive did not carry a probe through: only a lifetime below the limit helps. */
  | 'does-not-help'
  /** The server's own limit counts statements, not TCP packets; or nothing cut. */
  | 'not-applicable'
  | 'unknown';

export interface VerdictInput {
  /** ms; lo: longest silence survived, hi: shortest silence cut. */
  bracket: { lo: number; hi: number | null };
  cut: { kind: CutKind; component: Component | null; evidence: Evidence | null } | null;
  keepaliveOutcome: 'alive' | 'closed' | 'black-holed' | 'not-tested' | null;
  waitTimeout: number;
  interrupted: boolean;
}

interface VerdictResult {
  verdict: Verdict;
  /** The `--timeout` for dbcache generate: the longest silence known to survive (whole seconds). */
  timeout: number;
  keepalive: KeepaliveAdvice;
  /** Exit 1 when something cuts idle connections before the server would. */
  cutsEarly: boolean;
}

export function judge(input: VerdictInput): VerdictResult {
  const survived = Math.max(1, Math.floor(input.bracket.lo / 1000));
  const between = input.cut !== null && input.cut.component === 'between';
  if (input.interrupted && (input.cut === null || input.cut.component === null)) {
    return {
      verdict: 'interrupted',
      timeout: input.bracket.hi === null ? input.waitTimeout : Math.min(survived, input.waitTimeout),
      keepalive: 'unknown',
      cutsEarly: false,
    };
  }
  if (input.cut === null || input.bracket.hi === null) {
    return { verdict: 'no-cut', timeout: input.waitTimeout, keepalive: 'not-applicable', cutsEarly: false };
  }
  if (!between) {
    // The server counts whole seconds from its side: a close seen a hair before W is still W.
    return {
      verdict: 'server',
      timeout: input.waitTimeout,
      keepalive: 'not-applicable',
      cutsEarly: false,
    };
  }
  const blackHoled = input.cut.kind === 'black-holed';
  const keepalive: KeepaliveAdvice =
    input.keepaliveOutcome === 'alive'
      ? blackHoled
        ? 'needed'
        : 'helps'
      : input.keepaliveOutcome === 'closed' || input.keepaliveOutcome === 'black-holed'
        ? 'does-not-help'
        : 'unknown';
  return {
    verdict: blackHoled ? 'black-holed-between' : 'closed-between',
    timeout: Math.min(survived, input.waitTimeout),
    keepalive,
    cutsEarly: true,
  };
}
