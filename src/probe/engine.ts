/**
 * Runs the probes: opens them, pings each when the plan says, watches for closes that arrive on
 * their own, asks the server about every cut probe (and ends those it still holds), and runs
 * the keepalive probe alongside. The decisions are plan.ts's and attribution.ts's; this file
 * only keeps time and state. Whatever happens (a cut, an error, Ctrl-C), nothing is left open
 * on the server: every probe is closed, and every id the server still lists is killed.
 */
import { type Attribution, attribute, type CutKind } from './attribution.ts';
import type { CloseInfo, ProbeDriver, ProbeHandle } from './driver.ts';
import { type Bracket, decide, type PlanParams, type ProbeView } from './plan.ts';

export type Outcome = 'alive' | CutKind;

/** One observation: a probe found alive, closed or black-holed after a silence. */
export interface TestRecord {
  probe: number;
  connectionId: number;
  idleMs: number;
  outcome: Outcome;
  /** The close arrived by itself while the probe was silent (not in answer to a ping). */
  whileIdle: boolean;
  /** Since the run started. */
  atMs: number;
  /** Null until the control connection has looked (and for probes found alive). */
  serverStillHadIt: boolean | null;
  attribution: Attribution | null;
  error: string | null;
  errno: number | null;
}

type KeepaliveOutcome = Outcome | 'not-tested';

interface KeepaliveResult {
  intervalMs: number;
  outcome: KeepaliveOutcome;
  /** The silence (no statement, only TCP keepalives) it went through or was cut after. */
  idleMs: number | null;
}

export interface ProbeRun {
  bracket: Bracket;
  /** The cut that set the bracket's upper end. */
  cut: TestRecord | null;
  tests: TestRecord[];
  keepalive: KeepaliveResult | null;
  waitTimeout: number;
  maxIdleMs: number;
  pingDeadlineMs: number;
  connectionsUsed: number;
  elapsedMs: number;
  /** When the bracket was as narrow as asked (before the keepalive verdict); null if never. */
  narrowedAtMs: number | null;
  interrupted: boolean;
  /** Probe ids the server still held and that were ended with KILL. */
  killed: number[];
  /** Probe ids still listed after cleanup (should be empty; said when not). */
  leftBehind: number[];
}

export interface ProbeSnapshot {
  elapsedMs: number;
  bracket: Bracket;
  maxIdleMs: number;
  probes: Array<{
    probe: number;
    connectionId: number;
    idleMs: number;
    pingAtMs: number | null;
    keepalive: boolean;
  }>;
  tests: readonly TestRecord[];
  keepalive: KeepaliveResult | null;
}

interface EngineOptions {
  plan: Omit<PlanParams, 'maxIdleMs'>;
  /** The longest silence to test (--max), ms; further capped by the server's wait_timeout. */
  maxMs: number;
  /** Probes open at once (not counting the keepalive probe). */
  capacity: number;
  /** A ping answered later than this counts as black-holed (null: from the measured round trip). */
  pingDeadlineMs: number | null;
  /** TCP keepalive probe alongside; null over a Unix socket. */
  keepaliveMs: number | null;
  socket: boolean;
  now(): number;
  signal?: AbortSignal;
  onUpdate?(snapshot: ProbeSnapshot, message: string): void;
}

interface LiveProbe {
  number: number;
  handle: ProbeHandle;
  idleSince: number;
  /** The silence at which the ping in flight was sent. */
  pingAt: number | null;
}

/** The climb stops a little above wait_timeout: the server must have closed by then. */
function maxIdleFor(maxMs: number, waitTimeout: number): number {
  const margin = Math.max(2000, Math.round(waitTimeout * 50));
  return Math.min(maxMs, waitTimeout * 1000 + margin);
}

/**
 * Long enough for a slow answer, short enough not to dominate a run: five times the slowest
 * connect (a handshake and a statement, several round trips), 1 to 5 s.
 */
function pingDeadlineFor(setupMs: readonly number[]): number {
  const slowest = Math.max(0, ...setupMs);
  return Math.min(5000, Math.max(1000, 5 * slowest));
}

/** A close that arrives by itself comes this long after the cut, at most. */
const CLOSE_LATENCY_MS = 50;
/** A probe is kept a little longer than the cut before its keepalive verdict counts. */
export function keepaliveNeeds(hi: number): number {
  return Math.max(Math.round(hi * 1.1), hi + 1000);
}

export async function runProbes(driver: ProbeDriver, options: EngineOptions): Promise<ProbeRun> {
  const engine = new Engine(driver, options);
  return engine.run();
}

class Engine {
  private readonly probes = new Map<number, LiveProbe>();
  private readonly tests: TestRecord[] = [];
  private readonly opened: number[] = [];
  private readonly bracket: Bracket = { lo: 0, hi: null };
  private readonly started: number;
  private plan!: PlanParams;
  private waitTimeout = 0;
  private pingDeadlineMs = 1000;
  private nextNumber = 1;
  private opening = 0;
  private keepaliveProbe: LiveProbe | null = null;
  private keepalive: KeepaliveResult | null = null;
  private wakeUp: (() => void) | null = null;
  private toCheck: TestRecord[] = [];
  private checking: Promise<void> = Promise.resolve();
  private checkFailure: unknown = null;
  private readonly killed: number[] = [];
  private openFailure: unknown = null;
  private narrowedAtMs: number | null = null;

  constructor(
    private readonly driver: ProbeDriver,
    private readonly options: EngineOptions,
  ) {
    this.started = options.now();
  }

  private get aborted(): boolean {
    return this.options.signal?.aborted === true;
  }

  private elapsed(): number {
    return this.options.now() - this.started;
  }

  async run(): Promise<ProbeRun> {
    const onAbort = () => this.wake();
    this.options.signal?.addEventListener('abort', onAbort);
    try {
      await this.openFirst();
      while (!this.aborted) {
        if (this.checkFailure) throw this.checkFailure;
        const decision = decide(this.bracket, this.views(), this.options.capacity, this.plan);
        if (decision.finished) {
          this.narrowedAtMs = this.elapsed();
          break;
        }
        for (const number of decision.retire) this.retire(number);
        for (const number of decision.ping) void this.ping(number);
        if (decision.open > 0 && this.opening === 0) this.openMore(decision.open);
        if (this.probes.size === 0 && this.opening === 0 && this.openFailure) throw this.openFailure;
        if (decision.ping.length > 0 || decision.retire.length > 0) continue;
        await this.sleep(decision.wakeInMs);
      }
      if (!this.aborted) await this.keepaliveVerdict();
      await this.drainChecks();
    } finally {
      this.options.signal?.removeEventListener('abort', onAbort);
      await this.cleanup();
    }
    const leftBehind = await this.sweep();
    const cut =
      this.bracket.hi === null
        ? null
        : (this.tests.find((test) => test.outcome !== 'alive' && test.idleMs === this.bracket.hi) ?? null);
    return {
      bracket: { ...this.bracket },
      cut,
      tests: this.tests,
      keepalive: this.keepalive,
      waitTimeout: this.waitTimeout,
      maxIdleMs: this.plan?.maxIdleMs ?? this.options.maxMs,
      pingDeadlineMs: this.pingDeadlineMs,
      connectionsUsed: this.opened.length,
      elapsedMs: this.elapsed(),
      narrowedAtMs: this.narrowedAtMs,
      interrupted: this.aborted,
      killed: this.killed,
      leftBehind,
    };
  }

  /** The first probes: all at once, so their silences start together. */
  private async openFirst(): Promise<void> {
    // Stopped before it began (Ctrl-C, or a fleet's deadline during the set-up): open nothing.
    if (this.aborted) return;
    const wanted = this.options.capacity + (this.options.keepaliveMs === null ? 0 : 1);
    const results = await Promise.allSettled(
      Array.from({ length: wanted }, (_, index) =>
        this.driver.openProbe(index === this.options.capacity ? this.options.keepaliveMs : null),
      ),
    );
    const handles: ProbeHandle[] = [];
    let failure: unknown = null;
    for (const result of results) {
      if (result.status === 'fulfilled') handles.push(result.value);
      else failure ??= result.reason;
    }
    for (const handle of handles) this.opened.push(handle.connectionId);
    if (failure !== null || this.aborted) {
      // Half a start is no start: close what opened, then report why.
      await Promise.all(handles.map((handle) => handle.quit(1000)));
      if (this.aborted) return;
      throw failure;
    }
    const first = handles[0] as ProbeHandle;
    this.waitTimeout = first.waitTimeout;
    this.plan = { ...this.options.plan, maxIdleMs: maxIdleFor(this.options.maxMs, this.waitTimeout) };
    this.pingDeadlineMs =
      this.options.pingDeadlineMs ?? pingDeadlineFor(handles.map((handle) => handle.setupMs));
    const now = this.options.now();
    handles.forEach((handle, index) => {
      const probe = this.track(handle, now);
      if (index === this.options.capacity) {
        this.probes.delete(probe.number);
        this.keepaliveProbe = probe;
        this.keepalive = { intervalMs: this.options.keepaliveMs ?? 0, outcome: 'not-tested', idleMs: null };
      }
    });
    this.update(`opened ${handles.length} probe connections`);
  }

  private openMore(count: number): void {
    this.opening += count;
    for (let index = 0; index < count; index += 1) {
      this.driver
        .openProbe(null)
        .then((handle) => {
          this.opened.push(handle.connectionId);
          if (this.aborted) return handle.quit(1000);
          this.track(handle, this.options.now());
          this.update(`opened probe ${this.nextNumber - 1} (connection ${handle.connectionId})`);
        })
        .catch((err: unknown) => {
          // Fewer probes is slower, not wrong: carry on with those open.
          this.openFailure ??= err;
        })
        .finally(() => {
          this.opening -= 1;
          this.wake();
        });
    }
  }

  private track(handle: ProbeHandle, now: number): LiveProbe {
    const probe: LiveProbe = { number: this.nextNumber++, handle, idleSince: now, pingAt: null };
    this.probes.set(probe.number, probe);
    handle.onClose((info) => this.closedWhileIdle(probe, info));
    return probe;
  }

  private views(): ProbeView[] {
    const now = this.options.now();
    return [...this.probes.values()].map((probe) => ({
      id: probe.number,
      idleMs: now - probe.idleSince,
      pendingAtMs: probe.pingAt,
    }));
  }

  private record(probe: LiveProbe, idleMs: number, outcome: Outcome, whileIdle: boolean, info?: CloseInfo) {
    const test: TestRecord = {
      probe: probe.number,
      connectionId: probe.handle.connectionId,
      idleMs,
      outcome,
      whileIdle,
      atMs: this.elapsed(),
      serverStillHadIt: null,
      attribution: null,
      error: info?.message ?? null,
      errno: info?.errno ?? null,
    };
    if (probe !== this.keepaliveProbe) this.tests.push(test);
    return test;
  }

  private closedWhileIdle(probe: LiveProbe, info: CloseInfo): void {
    // A close during a ping is the ping's answer; after the run, nobody listens.
    if (probe.pingAt !== null) return;
    const idleMs = this.options.now() - probe.idleSince;
    if (probe === this.keepaliveProbe) {
      this.keepaliveProbe = null;
      this.keepalive = { intervalMs: this.options.keepaliveMs ?? 0, outcome: 'closed', idleMs };
      this.update(`keepalive probe closed after ${seconds(idleMs)} of silence`);
      this.wake();
      return;
    }
    if (!this.probes.delete(probe.number)) return;
    const test = this.record(probe, idleMs, 'closed', true, info);
    // It was open until just before the close arrived.
    this.narrowTo(Math.max(0, idleMs - CLOSE_LATENCY_MS), idleMs);
    this.queueCheck(test);
    this.update(`probe ${probe.number} closed by itself after ${seconds(idleMs)} of silence`);
    this.wake();
  }

  private narrowTo(lo: number | null, hi: number | null): void {
    if (hi !== null) this.bracket.hi = this.bracket.hi === null ? hi : Math.min(this.bracket.hi, hi);
    if (lo !== null) this.bracket.lo = Math.max(this.bracket.lo, lo);
    // Disagreeing probes (a flaky path): keep the bracket a bracket, on the safe side.
    if (this.bracket.hi !== null && this.bracket.lo >= this.bracket.hi)
      this.bracket.lo = Math.max(0, this.bracket.hi - 1);
  }

  private async ping(number: number): Promise<void> {
    const probe = this.probes.get(number);
    if (!probe || probe.pingAt !== null) return;
    const idleMs = this.options.now() - probe.idleSince;
    probe.pingAt = idleMs;
    this.update(`probe ${probe.number}: ping after ${seconds(idleMs)} of silence`);
    const outcome = await this.pingWithDeadline(probe.handle);
    if (!this.probes.has(number)) return;
    if (outcome.kind === 'alive') {
      probe.pingAt = null;
      probe.idleSince = this.options.now();
      this.record(probe, idleMs, 'alive', false);
      this.narrowTo(idleMs, null);
      this.update(`probe ${probe.number}: alive after ${seconds(idleMs)}`);
    } else {
      this.probes.delete(number);
      if (outcome.kind === 'black-holed') probe.handle.drop();
      const test = this.record(probe, idleMs, outcome.kind, false, outcome.info);
      this.narrowTo(null, idleMs);
      this.queueCheck(test);
      this.update(
        `probe ${probe.number}: ${outcome.kind === 'closed' ? 'closed' : `no answer within ${seconds(this.pingDeadlineMs)}`} after ${seconds(idleMs)} of silence`,
      );
    }
    this.wake();
  }

  private async pingWithDeadline(
    handle: ProbeHandle,
  ): Promise<
    { kind: 'alive' } | { kind: 'closed'; info: CloseInfo } | { kind: 'black-holed'; info: CloseInfo }
  > {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<{ kind: 'black-holed'; info: CloseInfo }>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            kind: 'black-holed',
            info: { code: null, errno: null, message: `no answer within ${seconds(this.pingDeadlineMs)}` },
          }),
        this.pingDeadlineMs,
      );
    });
    const answer = handle.ping().then(
      () => ({ kind: 'alive' as const }),
      (err: CloseInfo) => ({
        kind: 'closed' as const,
        info: { code: err.code ?? null, errno: err.errno ?? null, message: err.message },
      }),
    );
    try {
      return await Promise.race([answer, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private retire(number: number): void {
    const probe = this.probes.get(number);
    if (!probe) return;
    this.probes.delete(number);
    // Past the cut: a black-holed flow would swallow a COM_QUIT; the sweep ends it on the server.
    probe.handle.drop();
    this.update(`probe ${number} retired: silent longer than the cut`);
  }

  /** The server is asked about cut probes in batches, each on one short-lived control connection. */
  private queueCheck(test: TestRecord): void {
    this.toCheck.push(test);
    if (this.toCheck.length > 1) return;
    this.checking = this.checking.then(async () => {
      while (this.toCheck.length > 0) {
        const batch = this.toCheck.splice(0);
        try {
          await this.check(batch);
        } catch (err) {
          this.checkFailure ??= err;
        }
        this.wake();
      }
    });
  }

  private async check(batch: TestRecord[]): Promise<void> {
    // A server that closed a connection lists it for a moment more while it finishes; only a
    // connection still listed a little later is one the server kept.
    let present = new Set(
      (await this.driver.lookUp(batch.map((test) => test.connectionId))).map((e) => e.id),
    );
    for (
      let round = 0;
      round < 2 && batch.some((test) => test.outcome === 'closed' && present.has(test.connectionId));
      round += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      present = new Set((await this.driver.lookUp([...present])).map((e) => e.id));
    }
    for (const test of batch) {
      test.serverStillHadIt = present.has(test.connectionId);
      test.attribution = attribute({
        kind: test.outcome === 'alive' ? 'closed' : test.outcome,
        idleMs: test.idleMs,
        serverStillHasIt: test.serverStillHadIt,
        waitTimeout: this.waitTimeout,
        ...(test.errno !== null ? { errno: test.errno } : {}),
        socket: this.options.socket,
      });
    }
    const ended = await this.driver.kill([...present]);
    this.killed.push(...ended);
    if (ended.length > 0) this.update(`ended ${ended.length} cut probe connection(s) the server still held`);
  }

  private async drainChecks(): Promise<void> {
    await this.checking;
    if (this.checkFailure) throw this.checkFailure;
  }

  /**
   * The keepalive probe has been silent (TCP keepalives only) since the start. Once the cut is
   * known to be something in between, it shows whether keepalives carry a flow through it.
   */
  private async keepaliveVerdict(): Promise<void> {
    await this.drainChecks();
    const probe = this.keepaliveProbe;
    if (!this.keepalive) return;
    const { hi } = this.bracket;
    if (hi === null || this.cutComponent() !== 'between') {
      if (probe) {
        this.keepaliveProbe = null;
        await probe.handle.quit(1000);
      }
      if (this.keepalive.outcome !== 'closed' || hi === null) this.keepalive.outcome = 'not-tested';
      return;
    }
    if (!probe) return;
    const needs = keepaliveNeeds(hi);
    while (!this.aborted && this.keepaliveProbe === probe && this.options.now() - probe.idleSince < needs) {
      this.update(`keepalive probe: waiting until it has been silent ${seconds(needs)}`);
      await this.sleep(needs - (this.options.now() - probe.idleSince));
    }
    if (this.aborted || this.keepaliveProbe !== probe) return;
    const idleMs = this.options.now() - probe.idleSince;
    probe.pingAt = idleMs;
    const outcome = await this.pingWithDeadline(probe.handle);
    this.keepaliveProbe = null;
    this.keepalive = { intervalMs: this.options.keepaliveMs ?? 0, outcome: outcome.kind, idleMs };
    if (outcome.kind === 'alive') await probe.handle.quit(1000);
    else probe.handle.drop();
    this.update(`keepalive probe: ${outcome.kind} after ${seconds(idleMs)} of silence`);
  }

  private cutComponent(): 'server' | 'between' | null {
    const cut = this.tests.find((test) => test.outcome !== 'alive' && test.idleMs === this.bracket.hi);
    return cut?.attribution?.component ?? null;
  }

  /** Every probe closed: politely when it may still be heard, dropped when interrupted. */
  private async cleanup(): Promise<void> {
    const live = [...this.probes.values()];
    if (this.keepaliveProbe) live.push(this.keepaliveProbe);
    this.probes.clear();
    this.keepaliveProbe = null;
    await Promise.all(
      live.map((probe) =>
        this.aborted || probe.pingAt !== null ? probe.handle.drop() : probe.handle.quit(1000),
      ),
    );
    await this.checking;
  }

  /** Whatever the server still lists of this run's connections is ended. */
  private async sweep(): Promise<number[]> {
    if (this.opened.length === 0) return [];
    try {
      const present = (await this.driver.lookUp(this.opened)).map((entry) => entry.id);
      const ended = await this.driver.kill(present);
      this.killed.push(...ended.filter((id) => !this.killed.includes(id)));
      if (ended.length === present.length) return [];
      const still = await this.driver.lookUp(present);
      return still.map((entry) => entry.id);
    } catch {
      return [...this.opened];
    }
  }

  private sleep(ms: number | null): Promise<void> {
    if (this.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = ms === null ? undefined : setTimeout(() => done(), Math.max(0, ms));
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      this.wakeUp = done;
    });
  }

  private wake(): void {
    this.wakeUp?.();
  }

  private update(message: string): void {
    if (!this.options.onUpdate) return;
    const now = this.options.now();
    const probes = [...this.probes.values(), ...(this.keepaliveProbe ? [this.keepaliveProbe] : [])].map(
      (probe) => ({
        probe: probe.number,
        connectionId: probe.handle.connectionId,
        idleMs: now - probe.idleSince,
        pingAtMs: probe.pingAt,
        keepalive: probe === this.keepaliveProbe,
      }),
    );
    this.options.onUpdate(
      {
        elapsedMs: now - this.started,
        bracket: { ...this.bracket },
        maxIdleMs: this.plan?.maxIdleMs ?? this.options.maxMs,
        probes,
        tests: this.tests,
        keepalive: this.keepalive,
      },
      message,
    );
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
