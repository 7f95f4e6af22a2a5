import type { ClientView } from './report.ts';
import { Ring } from './ring.ts';
import { clientVerdict } from './verdict.ts';

/** Live verdicts look at this many recent tick-to-tick comparisons, so they recover once a client changes. */
export const VERDICT_WINDOW = 30;

/** What one client (user@host) did between two ticks. */
interface Step {
  added: number;
  gone: number;
  recycled: number;
  closed: number;
  /** At least one of the client's ids was there on both ticks. */
  held: boolean;
  seconds: number;
}

/** One client's history: the recent window for live verdicts, totals for the summary. Bounded. */
export class ClientTrack {
  present = 0;
  peak = 0;
  lastSeenTick = 0;
  readonly window = new Ring<Step>(VERDICT_WINDOW);
  readonly total = { added: 0, gone: 0, recycled: 0, closed: 0, held: 0, seconds: 0 };
  constructor(
    readonly client: string,
    readonly user: string,
    readonly host: string,
  ) {}

  step(step: Step): void {
    this.window.push(step);
    this.total.added += step.added;
    this.total.gone += step.gone;
    this.total.recycled += step.recycled;
    this.total.closed += step.closed;
    this.total.held += step.held ? 1 : 0;
    this.total.seconds += step.seconds;
  }

  /** Something to show in a tick: connections now, or ids that came or went within the window. */
  get active(): boolean {
    return this.present > 0 || this.window.values().some((step) => step.added + step.gone > 0);
  }
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
export const perSecond = (count: number, seconds: number): number | null =>
  seconds > 0 ? round(count / seconds) : null;

/** The client over the recent window: what a tick shows. */
export function windowView(track: ClientTrack): ClientView {
  const steps = track.window.values();
  const sum = (pick: (step: Step) => number) => steps.reduce((total, step) => total + pick(step), 0);
  const added = sum((step) => step.added);
  const gone = sum((step) => step.gone);
  const recycled = sum((step) => step.recycled);
  const seconds = sum((step) => step.seconds);
  return {
    client: track.client,
    user: track.user,
    host: track.host,
    verdict: clientVerdict({
      held: sum((step) => (step.held ? 1 : 0)),
      present: track.present,
      added,
      gone,
      recycled,
      closed: sum((step) => step.closed),
    }),
    connections: track.present,
    new: added,
    gone,
    recycled,
    closed_by_wait_timeout: sum((step) => step.closed),
    new_per_second: steps.length ? (perSecond(added, seconds) ?? 0) : null,
  };
}

/** The client over the whole run: what the summary shows. */
export function totalView(track: ClientTrack): ClientView {
  const { total } = track;
  return {
    client: track.client,
    user: track.user,
    host: track.host,
    // Over the whole run a client that held connections and then left was still a pool.
    verdict: clientVerdict({
      held: total.held,
      present: track.peak,
      added: total.added,
      gone: total.gone,
      recycled: total.recycled,
      closed: total.closed,
    }),
    connections: track.peak,
    new: total.added,
    gone: total.gone,
    recycled: total.recycled,
    closed_by_wait_timeout: total.closed,
    new_per_second: total.seconds > 0 ? perSecond(total.added, total.seconds) : null,
  };
}

export const byClientName = (a: ClientView, b: ClientView): number => a.client.localeCompare(b.client);
