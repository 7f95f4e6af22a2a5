/**
 * How many probes the server can spare. Pure. The probes are idle connections that hold a
 * max_connections slot each for the whole run: they may take at most half of the slots free
 * now, so that the applications keep room to connect.
 */
import type { ServerFacts } from './driver.ts';

/** Probes open at once: `--probes` takes this range (the command's help says it too). */
export const PROBES_RANGE = { min: 3, max: 16, default: 12 } as const;
const MIN_PROBES = PROBES_RANGE.min;

/** Besides the probes: the keepalive probe and the short-lived control connection. */
const OTHERS = 2;

/**
 * `elsewhere`: connections this run's probes of other targets hold on the same server (a fleet
 * listing a proxy and the server behind it). The server may not count them yet, so they come off
 * this target's half: together the targets stay within half of the free slots.
 */
export function probeCapacity(
  facts: Pick<ServerFacts, 'maxConnections' | 'threadsConnected' | 'maxUserConnections'>,
  wanted: number,
  elsewhere: { connections: number; targets: readonly string[] } = { connections: 0, targets: [] },
): { probes: number } | { refused: string } {
  const free = facts.maxConnections - facts.threadsConnected;
  let spare = Math.floor(free / 2) - OTHERS - elsewhere.connections;
  // The server does not say how many connections this user has open: half its limit at most.
  if (facts.maxUserConnections > 0)
    spare = Math.min(spare, Math.floor(facts.maxUserConnections / 2) - OTHERS - elsewhere.connections);
  if (spare < MIN_PROBES && elsewhere.connections > 0) {
    return {
      refused: `The server is the one ${elsewhere.targets.join(', ')} also reach${elsewhere.targets.length === 1 ? 'es' : ''}, whose probes hold ${elsewhere.connections} of its connections now (max_connections ${facts.maxConnections}, Threads_connected ${facts.threadsConnected}): together they may take at most half of the free ones, so this target was not probed. Probe it in a run of its own, or with --parallel 1.`,
    };
  }
  if (spare < MIN_PROBES) {
    return {
      refused: `The server has ${Math.max(0, free)} of its ${facts.maxConnections} connections free (max_connections ${facts.maxConnections}, Threads_connected ${facts.threadsConnected}${facts.maxUserConnections > 0 ? `, max_user_connections ${facts.maxUserConnections}` : ''}): probe-idle needs ${MIN_PROBES + OTHERS} and takes at most half of the free ones, so it did not start. Run it when the server is less busy.`,
    };
  }
  return { probes: Math.min(wanted, spare) };
}

/** What a probe of `probes` probes holds on the server: the probes and OTHERS. */
export const connectionsHeld = (probes: number): number => probes + OTHERS;

/**
 * The connections a fleet run's probes hold, by server (ServerFacts.identity): targets that reach
 * one server (a proxy and the server behind it) share its half of the free slots.
 */
export class SharedServers {
  readonly #held = new Map<string, Map<string, number>>();

  /** What the probes of other targets hold on this server now. */
  elsewhere(identity: string): { connections: number; targets: string[] } {
    const held = [...(this.#held.get(identity) ?? new Map<string, number>())];
    return {
      connections: held.reduce((sum, [, connections]) => sum + connections, 0),
      targets: held.map(([target]) => target),
    };
  }

  /** Records what a target's probes hold until the returned release is called. */
  hold(identity: string, target: string, connections: number): () => void {
    const held = this.#held.get(identity) ?? new Map<string, number>();
    this.#held.set(identity, held);
    held.set(target, connections);
    return () => held.delete(target);
  }
}
