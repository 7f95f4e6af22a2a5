/**
 * The planner against a model path, in simulated time: a path that cuts every flow silent for
 * `limitMs` or more. Pure (no sockets): it checks the plan's arithmetic, not any real component.
 */
import { type Bracket, DEFAULT_PLAN, decide, type PlanParams } from '../../src/probe/plan.ts';

export interface Simulated {
  bracket: Bracket;
  elapsedMs: number;
  connections: number;
  pings: number;
}

export function simulate(
  limitMs: number,
  options: { capacity?: number; deadlineMs?: number; maxIdleMs?: number; plan?: Partial<PlanParams> } = {},
): Simulated {
  const capacity = options.capacity ?? 12;
  const deadlineMs = options.deadlineMs ?? 2000;
  const params: PlanParams = { ...DEFAULT_PLAN, maxIdleMs: options.maxIdleMs ?? 1_800_000, ...options.plan };
  type Probe = { id: number; since: number; ping: null | { at: number; doneAt: number; alive: boolean } };
  const probes: Probe[] = [];
  const bracket: Bracket = { lo: 0, hi: null };
  let now = 0;
  let nextId = 1;
  let connections = 0;
  let pings = 0;
  const open = (count: number) => {
    for (let index = 0; index < count; index += 1) {
      probes.push({ id: nextId++, since: now, ping: null });
      connections += 1;
    }
  };
  open(capacity);
  for (let step = 0; step < 100_000; step += 1) {
    for (const probe of [...probes]) {
      if (!probe.ping || probe.ping.doneAt > now) continue;
      if (probe.ping.alive) {
        bracket.lo = Math.max(bracket.lo, probe.ping.at);
        probe.since = probe.ping.doneAt;
        probe.ping = null;
      } else {
        bracket.hi = bracket.hi === null ? probe.ping.at : Math.min(bracket.hi, probe.ping.at);
        probes.splice(probes.indexOf(probe), 1);
      }
    }
    const views = probes.map((probe) => ({
      id: probe.id,
      idleMs: now - probe.since,
      pendingAtMs: probe.ping ? probe.ping.at : null,
    }));
    const decision = decide(bracket, views, capacity, params);
    if (decision.finished) return { bracket, elapsedMs: now, connections, pings };
    for (const id of decision.retire)
      probes.splice(
        probes.findIndex((probe) => probe.id === id),
        1,
      );
    for (const id of decision.ping) {
      const probe = probes.find((candidate) => candidate.id === id) as Probe;
      const at = now - probe.since;
      const alive = at < limitMs;
      probe.ping = { at, alive, doneAt: now + (alive ? 1 : deadlineMs) };
      pings += 1;
    }
    open(decision.open);
    if (decision.ping.length > 0 || decision.retire.length > 0 || decision.open > 0) continue;
    const nextDone = Math.min(
      ...probes.filter((probe) => probe.ping).map((probe) => (probe.ping?.doneAt ?? 0) - now),
    );
    const wait = Math.min(decision.wakeInMs ?? Number.POSITIVE_INFINITY, nextDone);
    if (!Number.isFinite(wait))
      throw new Error(`the plan stalled at ${now} ms with ${JSON.stringify(bracket)}`);
    now += Math.max(1, wait);
  }
  throw new Error('the plan did not finish in 100000 steps');
}
