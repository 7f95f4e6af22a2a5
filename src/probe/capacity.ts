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

export function probeCapacity(
  facts: Pick<ServerFacts, 'maxConnections' | 'threadsConnected' | 'maxUserConnections'>,
  wanted: number,
): { probes: number } | { refused: string } {
  const free = facts.maxConnections - facts.threadsConnected;
  let spare = Math.floor(free / 2) - OTHERS;
  // The server does not say how many connections this user has open: half its limit at most.
  if (facts.maxUserConnections > 0)
    spare = Math.min(spare, Math.floor(facts.maxUserConnections / 2) - OTHERS);
  if (spare < MIN_PROBES) {
    return {
      refused: `The server has ${Math.max(0, free)} of its ${facts.maxConnections} connections free (max_connections ${facts.maxConnections}, Threads_connected ${facts.threadsConnected}${facts.maxUserConnections > 0 ? `, max_user_connections ${facts.maxUserConnections}` : ''}): probe-idle needs ${MIN_PROBES + OTHERS} and takes at most half of the free ones, so it did not start. Run it when the server is less busy.`,
    };
  }
  return { probes: Math.min(wanted, spare) };
}
