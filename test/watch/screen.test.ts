import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { Chalk } from 'chalk';
import { diffSnapshots } from '../../src/watch/diff.ts';
import type { WatchHeader } from '../../src/watch/human.ts';
import type { TickReport } from '../../src/watch/report.ts';
import { renderFrame, type ScreenSize, screenView } from '../../src/watch/screen.ts';
import type { Snapshot } from '../../src/watch/snapshot.ts';
import { WatchStats } from '../../src/watch/stats.ts';
import { visibleLength } from '../../src/watch/text.ts';
import { row, snapshot } from './fixtures.ts';

const ESC = '\u001b';
const plain = new Chalk({ level: 0 });
const colored = new Chalk({ level: 1 });
const stripEscapes = (text: string) => text.replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), '');

/** The README's terminal example: three pooled app connections, root, and web connecting per request. */
const header: WatchHeader = {
  server: 'MariaDB 10.11.19',
  address: '127.0.0.1:34987',
  user: 'root',
  source: 'information_schema.PROCESSLIST',
  filters: { user: [], db: [], host: [] },
  intervalMs: 1000,
  watcherId: 11,
  notes: [],
};

function sampleTicks(): TickReport[] {
  const stats = new WatchStats({ source: header.source, filters: header.filters, seesEveryClient: true });
  const base = (web: number, time: number) => [
    row(4, { user: 'root', host: 'localhost:52670', db: null, time }),
    row(5, { host: 'localhost:52676', time }),
    row(6, { host: 'localhost:52678', time }),
    row(7, { host: 'localhost:52688', time }),
    row(web, { user: 'web', host: `localhost:${52700 + web}`, command: 'Query', time: 0 }),
  ];
  const snapshots: Snapshot[] = [];
  for (let tick = 0; tick < 6; tick++) {
    snapshots.push(
      snapshot(1_764_000_000_000 + tick * 1000, base(10 + 2 * tick, tick), {
        // Two connections a second, one of them never listed: "1 too short-lived to list".
        Connections: 100 + 2 * tick,
        Threads_connected: 6,
        Uptime: 1000 + tick,
      }),
    );
  }
  return snapshots.map((current, index) =>
    stats.record({
      snapshot: current,
      diff: diffSnapshots(snapshots[index - 1] ?? null, current),
      source: header.source,
      watcherId: 11,
      gap: null,
      ownConnects: 0,
    }),
  );
}

const clock = (tick: TickReport) => new Date(tick.at).toTimeString().slice(0, 8);

function assertFits(frame: string[], size: ScreenSize): void {
  assert.ok(frame.length <= size.rows - 1, `${frame.length} lines for ${size.rows} rows`);
  for (const line of frame) assert.ok(visibleLength(line) <= size.columns, `too wide: ${line}`);
}

for (const size of [
  { rows: 24, columns: 80 },
  { rows: 40, columns: 120 },
]) {
  test(`the live screen at ${size.columns}x${size.rows}: fits, and nothing is cut, least of all the tick counter and the clock`, () => {
    const tick = sampleTicks().at(-1) as TickReport;
    for (const color of [plain, colored]) {
      const frame = renderFrame({ header, tick, notice: null }, size, color);
      assertFits(frame, size);
      const text = stripEscapes(frame.join('\n'));
      // A cut line ends in …; the "… 1 more" line is not a cut.
      assert.doesNotMatch(text, /\S…/, `something was cut:\n${text}`);
      for (const whole of [
        'tick 6',
        clock(tick),
        'MariaDB 10.11.19 at 127.0.0.1:34987 as root',
        'every 1 s',
        'this watcher is connection 11 (not listed)',
        'Threads_connected 6',
        '1 too short-lived to list',
        'verdict churning',
        'Ctrl-C stops and prints a summary.',
      ])
        assert.ok(text.includes(whole), `"${whole}" is not whole on the screen:\n${text}`);
      // The liveness cue is in the first lines: a short terminal cuts the bottom, never the top.
      assert.ok(
        frame.slice(0, 2).some((line) => line.includes('tick 6') && line.includes(clock(tick))),
        text,
      );
    }
  });
}

test('where the header fits on one line it is as before (120 columns)', () => {
  const tick = sampleTicks().at(-1) as TickReport;
  const frame = renderFrame({ header, tick, notice: null }, { rows: 40, columns: 120 }, plain);
  assert.equal(
    frame[0],
    `dbcache watch-connections · MariaDB 10.11.19 at 127.0.0.1:34987 as root · every 1 s · tick 6 · ${clock(tick)}`,
  );
  assert.equal(
    frame[1],
    'all clients · from information_schema.PROCESSLIST · wait_timeout 600 s · this watcher is connection 11 (not listed)',
  );
});

test('notes wrap at word boundaries on a narrow screen, and the liveness cue survives a short one', () => {
  const tick = sampleTicks().at(-1) as TickReport;
  const note =
    "User app does not seem to have the PROCESS privilege: the server then lists only that user's own connections.";
  const size = { rows: 12, columns: 60 };
  const frame = renderFrame({ header: { ...header, notes: [note] }, tick, notice: null }, size, plain);
  assertFits(frame, size);
  const text = frame.join('\n');
  assert.ok(
    frame.some((line) => line.includes(`tick 6 · ${clock(tick)}`)),
    text,
  );
  // Every word whole, in order: wrapped, not cut.
  const noteLines = frame.filter((line) => note.includes(line.trim()) && line.trim().length > 0);
  assert.equal(noteLines.join(' '), note, text);
});

/** A terminal stdout as Node gives it: rows and columns, and 'resize' on SIGWINCH. */
class FakeTerminal extends EventEmitter {
  written: string[] = [];
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write(text: string): boolean {
    this.written.push(text);
    return true;
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

test('a resize (SIGWINCH) clears the screen and redraws at the new size, leaving no old frame above', () => {
  const ticks = sampleTicks();
  const terminal = new FakeTerminal(120, 40);
  const view = screenView(terminal, plain);
  view.start(header);
  view.tick(ticks[4] as TickReport);
  view.tick(ticks[5] as TickReport);
  const before = terminal.written.length;
  terminal.resize(80, 24);
  const redraw = terminal.written.slice(before).join('');
  // Old frames were reflowed by the terminal: moving up over them would leave pieces above.
  assert.ok(
    redraw.startsWith(`${ESC}[H${ESC}[2J`),
    `clears and homes first: ${JSON.stringify(redraw.slice(0, 20))}`,
  );
  assert.doesNotMatch(redraw, new RegExp(`${ESC}\\[\\d+A`), 'no cursor-up over a frame that is gone');
  const frame = stripEscapes(redraw).split('\n').slice(0, -1);
  assertFits(frame, { rows: 24, columns: 80 });
  assert.ok(frame[0]?.includes('dbcache watch-connections'));
  assert.ok(frame.join('\n').includes(`tick 6 · ${clock(ticks[5] as TickReport)}`));
  // The next tick draws over the new frame: up by exactly its height.
  const mark = terminal.written.length;
  view.tick(ticks[5] as TickReport);
  assert.ok(terminal.written.slice(mark).join('').startsWith(`${ESC}[${frame.length}A\r`));
  view.finish({ ...summaryStub });
  // After the watch the terminal's resizes are none of its business.
  assert.equal(terminal.listenerCount('resize'), 0);
  const done = terminal.written.length;
  terminal.resize(100, 30);
  assert.equal(terminal.written.length, done);
});

const summaryStub = (() => {
  const stats = new WatchStats({ source: header.source, filters: header.filters, seesEveryClient: true });
  return stats.summary('signal', 0);
})();
