import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Chalk } from 'chalk';
import { diffSnapshots } from '../../src/watch/diff.ts';
import type { WatchHeader } from '../../src/watch/human.ts';
import { linesView, tickLine } from '../../src/watch/lines.ts';
import { ndjsonView } from '../../src/watch/ndjson.ts';
import { renderFrame, screenView } from '../../src/watch/screen.ts';
import { WatchStats } from '../../src/watch/stats.ts';
import { fitWidth, idList, sparkline, visibleLength } from '../../src/watch/text.ts';
import { row, snapshot } from './fixtures.ts';

const ESC = '\u001b';
const hasEscape = (text: string) => text.includes(ESC);
const plain = new Chalk({ level: 0 });
const colored = new Chalk({ level: 1 });

const header: WatchHeader = {
  server: 'MariaDB 10.11.19',
  address: '127.0.0.1:3306',
  user: 'root',
  source: 'information_schema.PROCESSLIST',
  filters: { user: ['app'], db: [], host: [] },
  intervalMs: 2000,
  watcherId: 99,
  notes: [],
};

/** Two ticks: 2,000 kept connections, one new, one gone by wait_timeout. */
function ticks() {
  const stats = new WatchStats({ source: header.source, filters: header.filters, seesEveryClient: false });
  const kept = Array.from({ length: 2000 }, (_, index) => row(index + 10, { time: index % 600 }));
  const first = snapshot(0, [...kept, row(5000, { time: 599 })]);
  const second = snapshot(2000, [...kept, row(5001, { command: 'Query', time: 0 })], {
    Aborted_clients: 1,
    Uptime: 1002,
  });
  const one = stats.record({
    snapshot: first,
    diff: diffSnapshots(null, first),
    watcherId: 99,
    gap: null,
    ownConnects: 0,
  });
  const two = stats.record({
    snapshot: second,
    diff: diffSnapshots(first, second),
    watcherId: 99,
    gap: null,
    ownConnects: 0,
  });
  return { one, two, summary: stats.summary('signal', 2000) };
}

test('the screen frame fits the terminal: never more lines than rows - 1, never wider than the columns', () => {
  const { two } = ticks();
  for (const size of [
    { rows: 24, columns: 80 },
    { rows: 10, columns: 40 },
    { rows: 60, columns: 200 },
  ]) {
    const frame = renderFrame({ header, tick: two, notice: null }, size, colored);
    assert.ok(frame.length <= size.rows - 1, `${frame.length} lines for ${size.rows} rows`);
    for (const line of frame) assert.ok(visibleLength(line) <= size.columns, `too wide: ${line}`);
  }
  const frame = renderFrame({ header, tick: two, notice: null }, { rows: 40, columns: 120 }, plain);
  const text = frame.join('\n');
  // New first, then gone (called out as closed by wait_timeout), then the rest.
  const newLine = frame.findIndex((line) => line.startsWith('+ ') && line.includes('5001'));
  const goneLine = frame.findIndex((line) => line.startsWith('- ') && line.includes('5000'));
  assert.ok(newLine > 0 && goneLine === newLine + 1, text);
  assert.match(frame[goneLine] as string, /closed by wait_timeout \(was idle 599 s\)/);
  assert.match(text, /… \d+ more \(a taller terminal shows more; --json lists all\)/);
  assert.match(text, /verdict churning/);
  assert.match(text, /filter user=app/);
});

test('the screen redraws in place: cursor up over the previous frame, cursor hidden and restored, summary below', () => {
  const { one, two, summary } = ticks();
  let written = '';
  const view = screenView(
    { write: (text: string) => (written += text), isTTY: true, rows: 30, columns: 100 },
    colored,
  );
  view.start(header);
  const firstFrame = written;
  view.tick(one);
  view.tick(two);
  view.finish(summary);
  assert.ok(written.startsWith('\u001b[?25l'), 'cursor hidden');
  const firstHeight = firstFrame.split('\n').length - 1;
  assert.ok(written.includes(`\u001b[${firstHeight}A\r`), 'moves up over the previous frame');
  assert.ok(written.endsWith(`${ESC}[?25h`), 'cursor shown again at the end');
  assert.match(written, /Summary/);
  view.close();
  assert.equal(written.split(`${ESC}[?25h`).length - 1, 1, 'close after finish writes nothing more');
});

test('plain lines: one line per tick, no escape codes, ids and counters on it', () => {
  const { one, two, summary } = ticks();
  let written = '';
  const view = linesView({ write: (text: string) => (written += text), isTTY: false }, plain);
  view.start(header);
  view.tick(one);
  view.tick(two);
  view.disconnected({
    type: 'disconnected',
    at: '2024-01-01T00:00:00.000Z',
    reason: 'the connection was reset',
  });
  view.retrying(1, 'connection refused', 500);
  view.finish(summary);
  assert.ok(!hasEscape(written));
  const lines = written.trimEnd().split('\n');
  assert.equal(lines.filter((line) => / tick \d+: /.test(line)).length, 2);
  const second = lines.find((line) => line.includes(' tick 2: ')) as string;
  assert.match(second, /2001 connections \[10,11,/);
  assert.match(second, /new 5001; gone 5000 \(closed by wait_timeout: 5000\)/);
  assert.match(second, /Aborted_clients\/s 0\.50/);
  assert.match(written, /Lost the connection: the connection was reset\. Reconnecting/);
  assert.match(written, /Reconnect attempt 1 failed: connection refused\. Trying again in 0\.5 s\./);
  assert.match(written, /Verdict: churning\./);
  assert.match(written, /closed by the server after sitting idle for wait_timeout/);
  // Colors appear only when asked for (FORCE_COLOR), never by default.
  assert.ok(hasEscape(tickLine(two, colored)));
});

test('NDJSON: every line parses; ticks, events and the summary carry their type', () => {
  const { one, two, summary } = ticks();
  let written = '';
  const view = ndjsonView({ write: (text: string) => (written += text) });
  view.start(header);
  view.tick(one);
  view.disconnected({ type: 'disconnected', at: '2024-01-01T00:00:00.000Z', reason: 'x' });
  view.retrying(1, 'y', 1);
  view.tick(two);
  view.finish(summary);
  const objects = written
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string });
  assert.deepEqual(
    objects.map((o) => o.type),
    ['tick', 'disconnected', 'tick', 'summary'],
  );
  const tick = objects[2] as unknown as {
    new: number[];
    gone: number[];
    ids: number[];
    closed_by_wait_timeout: number[];
  };
  assert.deepEqual(tick.new, [5001]);
  assert.deepEqual(tick.gone, [5000]);
  assert.deepEqual(tick.closed_by_wait_timeout, [5000]);
  assert.equal(tick.ids.length, 2001);
});

test('text helpers: widths ignore escape codes, cutting keeps them, sparkline scales, id lists shorten', () => {
  assert.equal(visibleLength('\u001b[32mabc\u001b[39m'), 3);
  const cut = fitWidth(`\u001b[32m${'x'.repeat(50)}\u001b[39m`, 10);
  assert.equal(visibleLength(cut), 10);
  assert.ok(cut.endsWith('…\u001b[0m'));
  assert.equal(fitWidth('short', 10), 'short');
  assert.equal(sparkline([0, 1, 2, 4, 8]), '▁▂▃▅█');
  assert.equal(sparkline([0, 0]), '▁▁');
  assert.equal(idList([1, 2, 3], 2), '1,2,… (+1)');
});
