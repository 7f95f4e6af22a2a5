/**
 * Which probe to ping when: a pure function from what is known to what to do next.
 *
 * A probe connection tests one idle duration per ping: pinged after x ms of silence, it either
 * answers (every component on the path keeps an idle flow at least x) or it does not (something
 * cut it by x). A ping that is answered restarts the probe's idle time, so each probe carries
 * one test at a time, and a test of x cannot finish before x has passed since the probe last
 * spoke. Two phases:
 *
 * - **Climb** (no cut seen yet): the probe idle longest is pinged when its silence reaches the
 *   next rung, `ratio` times the longest silence known to survive. Pinged probes start idling
 *   again, so after a few rungs the probes' idle times are spread out below the current rung.
 * - **Narrow** (a cut seen at `hi`, survival known at `lo`): the probes started on the earlier
 *   rungs are now idle for durations spread through (lo, hi); each is pinged when its silence
 *   reaches the middle of the still-open stretch of the bracket it is in, several at once, until
 *   the bracket is within `precision` of the limit (or `minWidthMs`).
 *
 * Probes idle beyond `hi` are past the limit (cut, whether or not they know it) and are retired.
 */

export interface PlanParams {
  /** The first rung. */
  minIdleMs: number;
  /** The climb's factor between rungs. */
  ratio: number;
  /** The longest silence worth testing (`--max`, capped by the server's wait_timeout + margin). */
  maxIdleMs: number;
  /** The bracket is narrow enough at this share of its upper end ... */
  precision: number;
  /** ... or at this width, whichever is wider. */
  minWidthMs: number;
}

export const DEFAULT_PLAN: Omit<PlanParams, 'maxIdleMs'> = {
  minIdleMs: 1000,
  ratio: 1.25,
  precision: 0.1,
  minWidthMs: 1000,
};

/** What the probes have shown so far, in ms of silence. */
export interface Bracket {
  /** The longest silence a probe survived (0: none yet). */
  lo: number;
  /** The shortest silence after which a probe was cut; null: none cut yet. */
  hi: number | null;
}

/** One probe as the planner sees it. */
export interface ProbeView {
  id: number;
  /** Silence so far, in ms. */
  idleMs: number;
  /** A ping is in flight: its outcome is not known yet. */
  pendingAtMs: number | null;
}

interface Decision {
  /** Probes to ping now. */
  ping: number[];
  /** Probes idle beyond the cut: they carry no more information; close them. */
  retire: number[];
  /** Open this many new probes (silence starts now). */
  open: number;
  /** Ask again after this long at the latest (null: only when something happens). */
  wakeInMs: number | null;
  /** The bracket is as narrow as asked, or the climb reached the top without a cut. */
  finished: boolean;
}

function goalWidth(hi: number, params: PlanParams): number {
  return Math.max(params.minWidthMs, params.precision * hi);
}

export function isNarrowEnough(bracket: Bracket, params: PlanParams): boolean {
  return bracket.hi !== null && bracket.hi - bracket.lo <= goalWidth(bracket.hi, params);
}

/** The next rung of the climb above the silence known (or assumed, while a ping is out) to survive. */
export function nextRung(survived: number, params: PlanParams): number {
  return Math.min(params.maxIdleMs, Math.max(params.minIdleMs, Math.round(survived * params.ratio)));
}

/**
 * `liveProbes`: probes that may still be tested (open, not retired); `capacity`: how many may be
 * open at once.
 */
export function decide(
  bracket: Bracket,
  probes: readonly ProbeView[],
  capacity: number,
  params: PlanParams,
): Decision {
  const pending = probes.filter((probe) => probe.pendingAtMs !== null);
  const idle = probes.filter((probe) => probe.pendingAtMs === null);
  if (bracket.hi === null) return climb(bracket, pending, idle, capacity, params);
  if (isNarrowEnough(bracket, params)) {
    return { ping: [], retire: [], open: 0, wakeInMs: null, finished: true };
  }
  return narrow({ lo: bracket.lo, hi: bracket.hi }, pending, idle, capacity, params);
}

function climb(
  bracket: Bracket,
  pending: ProbeView[],
  idle: ProbeView[],
  capacity: number,
  params: PlanParams,
): Decision {
  if (bracket.lo >= params.maxIdleMs) {
    return { ping: [], retire: [], open: 0, wakeInMs: null, finished: pending.length === 0 };
  }
  // A ping in flight is assumed to come back alive: the climb does not wait for it.
  const assumed = Math.max(bracket.lo, ...pending.map((probe) => probe.pendingAtMs ?? 0));
  const open = Math.max(0, capacity - pending.length - idle.length);
  if (assumed >= params.maxIdleMs) return { ping: [], retire: [], open, wakeInMs: null, finished: false };
  const rung = nextRung(assumed, params);
  const oldest = idle.reduce<ProbeView | undefined>(
    (best, probe) => (best === undefined || probe.idleMs > best.idleMs ? probe : best),
    undefined,
  );
  if (oldest === undefined)
    return { ping: [], retire: [], open, wakeInMs: open > 0 ? rung : null, finished: false };
  if (oldest.idleMs >= rung) return { ping: [oldest.id], retire: [], open, wakeInMs: 0, finished: false };
  return { ping: [], retire: [], open, wakeInMs: rung - oldest.idleMs, finished: false };
}

function narrow(
  bracket: { lo: number; hi: number },
  pending: ProbeView[],
  idle: ProbeView[],
  capacity: number,
  params: PlanParams,
): Decision {
  const goal = goalWidth(bracket.hi, params);
  const retire = idle.filter((probe) => probe.idleMs >= bracket.hi).map((probe) => probe.id);
  const usable = idle.filter((probe) => probe.idleMs < bracket.hi);
  // The bracket is cut into stretches by the pings in flight; a stretch narrower than the goal
  // needs no more tests.
  const points = [
    bracket.lo,
    ...pending.map((probe) => probe.pendingAtMs ?? 0).filter((at) => at > bracket.lo && at < bracket.hi),
    bracket.hi,
  ].sort((a, b) => a - b);
  const ping: number[] = [];
  // Each open stretch is split by the probe nearest above its middle: shortest silences first,
  // again until no probe splits anything (a split opens new middles for the probes below it).
  const waiting = [...usable].sort((a, b) => a.idleMs - b.idleMs);
  for (let changed = true; changed; ) {
    changed = false;
    for (const probe of waiting) {
      if (ping.includes(probe.id)) continue;
      const stretch = stretchAbove(points, probe.idleMs, goal);
      if (stretch === null || probe.idleMs <= stretch.from) continue;
      if (probe.idleMs >= (stretch.from + stretch.to) / 2) {
        ping.push(probe.id);
        points.push(probe.idleMs);
        points.sort((a, b) => a - b);
        changed = true;
      }
    }
  }
  let wakeInMs: number | null = null;
  for (const probe of waiting) {
    if (ping.includes(probe.id)) continue;
    const stretch = stretchAbove(points, probe.idleMs, goal);
    if (stretch === null) continue;
    const wait = Math.max(0, Math.ceil((stretch.from + stretch.to) / 2 - probe.idleMs));
    wakeInMs = wakeInMs === null ? wait : Math.min(wakeInMs, wait);
  }
  const live = pending.length + usable.length;
  // Fresh probes help only when no probe left can reach the open stretches.
  const open = live - ping.length === 0 && wakeInMs === null ? Math.max(0, capacity - live) : 0;
  if (open > 0) {
    const stretch = stretchAbove(points, 0, goal);
    if (stretch !== null) wakeInMs = Math.ceil((stretch.from + stretch.to) / 2);
  }
  return { ping, retire, open, wakeInMs, finished: false };
}

/** The first stretch wider than the goal that contains or lies above `idleMs`. */
function stretchAbove(points: number[], idleMs: number, goal: number): { from: number; to: number } | null {
  for (let index = 0; index + 1 < points.length; index += 1) {
    const from = points[index] as number;
    const to = points[index + 1] as number;
    if (to <= idleMs) continue;
    if (to - from > goal) return { from, to };
  }
  return null;
}
