import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Chalk } from 'chalk';
import { printable } from '../../src/output/printable.ts';
import { diffSnapshots } from '../../src/watch/diff.ts';
import type { WatchHeader } from '../../src/watch/human.ts';
import { linesView, tickLine } from '../../src/watch/lines.ts';
import { ndjsonView } from '../../src/watch/ndjson.ts';
import { renderFrame, screenView } from '../../src/watch/screen.ts';
import { WatchStats } from '../../src/watch/stats.ts';
import { cell, fitWidth, idList, sparkline, visibleLength } from '../../src/watch/text.ts';
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
    source: 'information_schema.PROCESSLIST',
    watcherId: 99,
    gap: null,
    ownConnects: 0,
  });
  const two = stats.record({
    snapshot: second,
    diff: diffSnapshots(first, second),
    source: 'information_schema.PROCESSLIST',
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

/** A tick whose client chose hostile names: escape sequences in the user, CJK in the database. */
function hostileTick() {
  const stats = new WatchStats({ source: header.source, filters: header.filters, seesEveryClient: false });
  const evil = row(5, {
    user: 'evil\u001b]0;pwned\u0007\u001b[2J\u009b31m',
    db: '数据库数据库数据库数据库数据库',
    host: 'h\u202eost:1',
    command: 'Sleep\u007f',
  });
  const first = snapshot(0, [evil, row(6)]);
  const second = snapshot(2000, [evil], { Uptime: 1002 });
  stats.record({
    snapshot: first,
    diff: diffSnapshots(null, first),
    source: header.source,
    watcherId: 9,
    gap: null,
    ownConnects: 0,
  });
  const tick = stats.record({
    snapshot: second,
    diff: diffSnapshots(first, second),
    source: header.source,
    watcherId: 9,
    gap: null,
    ownConnects: 0,
  });
  return { tick, summary: stats.summary('count', 2000) };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape codes are what it removes
const OWN_ESCAPE = /\u001b\[[0-9;?]*[A-Za-z]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const RAW_IN_JSON = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202e]/;

/** Every escape sequence in the text is one the views write themselves (colors, cursor, clearing). */
const onlyOwnEscapes = (text: string) => !CONTROL.test(text.replace(OWN_ESCAPE, '').replaceAll('\r', ''));

test('server text never reaches the terminal as control characters: plain lines, screen and summary show them escaped', () => {
  const { tick, summary } = hostileTick();
  let written = '';
  const lines = linesView({ write: (text: string) => (written += text), isTTY: false }, plain);
  lines.start({ ...header, user: 'me\u001b[2J' });
  lines.tick(tick);
  lines.disconnected({ type: 'disconnected', at: 'x', reason: 'bye\u001b[2J' });
  lines.finish(summary);
  assert.ok(!hasEscape(written), JSON.stringify(written));
  assert.match(written, /evil\\x1b\]0;pwned\\x07\\x1b\[2J\\x9b31m@h\\u202eost/);

  let screen = '';
  const view = screenView(
    { write: (text: string) => (screen += text), isTTY: true, rows: 30, columns: 100 },
    colored,
  );
  view.start(header);
  view.tick(tick);
  view.finish(summary);
  assert.ok(onlyOwnEscapes(screen), JSON.stringify(screen));
  assert.match(screen, /Sleep\\x7f/);
});

test('wide characters take two columns: the screen never wraps, cells are cut whole', () => {
  const { tick } = hostileTick();
  assert.equal(visibleLength('数据库'), 6);
  assert.equal(visibleLength('e\u0301'), 1, 'a combining accent takes no column');
  assert.equal(visibleLength('😀'), 2);
  assert.equal(
    cell('数据库数据库', 6),
    '数据… ',
    'a wide character that would straddle the edge is left out',
  );
  assert.equal(visibleLength(cell('数据库数据库', 5)), 5);
  assert.equal(fitWidth('ab数据库', 5), 'ab数…\u001b[0m');
  for (const columns of [40, 57, 80, 101]) {
    const frame = renderFrame({ header, tick, notice: null }, { rows: 30, columns }, colored);
    for (const line of frame)
      assert.ok(visibleLength(line) <= columns, `${visibleLength(line)} > ${columns}: ${line}`);
  }
  // The columns line up: the database starts in the column its title does.
  const frame = renderFrame({ header, tick, notice: null }, { rows: 30, columns: 200 }, plain);
  const titles = frame.find((line) => line.trimStart().startsWith('id  user')) as string;
  const rowLine = frame.find((line) => line.includes('数据库')) as string;
  assert.ok(titles && rowLine, frame.join('\n'));
  assert.equal(
    visibleLength(rowLine.slice(0, rowLine.indexOf('数'))),
    visibleLength(titles.slice(0, titles.indexOf(' db ') + 1)),
  );
});

test('printable: controls become visible escapes, lone surrogates U+FFFD, everything else untouched', () => {
  assert.equal(printable('app'), 'app');
  assert.equal(printable('a\u001b[2Jb'), 'a\\x1b[2Jb');
  assert.equal(printable('\u0000\t\n\u007f\u0085\u009b'), '\\x00\\x09\\x0a\\x7f\\x85\\x9b');
  assert.equal(printable('x\u202ey\u2066'), 'x\\u202ey\\u2066');
  assert.equal(printable('a\ud800b'), 'a\ufffdb');
  assert.equal(printable('数据库 😀 é'), '数据库 😀 é');
});

test('NDJSON: DEL, C1 controls and line separators in server text are \\u escapes, and parse back to the same text', () => {
  const { tick } = hostileTick();
  let written = '';
  ndjsonView({ write: (text: string) => (written += text) }).tick(tick);
  assert.ok(!RAW_IN_JSON.test(written.trimEnd()), JSON.stringify(written));
  assert.deepEqual(JSON.parse(written), JSON.parse(JSON.stringify(tick)));
});

test("the screen says where the list comes from now: after a fallback, the tick's source", () => {
  const { two } = ticks();
  const frame = renderFrame(
    { header: { ...header, source: 'performance_schema.processlist' }, tick: two, notice: null },
    { rows: 40, columns: 160 },
    plain,
  );
  assert.match(frame.join('\n'), /from information_schema\.PROCESSLIST/);
  let written = '';
  const lines = linesView({ write: (text: string) => (written += text), isTTY: false }, plain);
  lines.start({ ...header, source: 'performance_schema.processlist' });
  lines.tick(two);
  lines.tick(two);
  assert.equal(written.match(/from information_schema\.PROCESSLIST/g)?.length, 1, written);
});

test('recycled connections are told apart from churn in every view', () => {
  const stats = new WatchStats({ source: header.source, filters: header.filters, seesEveryClient: false });
  const first = snapshot(0, [row(1, { time: 400 }), row(2, { time: 400 })]);
  const second = snapshot(2000, [row(2, { time: 402 }), row(3, { time: 0 })], { Uptime: 1002 });
  stats.record({
    snapshot: first,
    diff: diffSnapshots(null, first),
    source: header.source,
    watcherId: 9,
    gap: null,
    ownConnects: 0,
  });
  const tick = stats.record({
    snapshot: second,
    diff: diffSnapshots(first, second),
    source: header.source,
    watcherId: 9,
    gap: null,
    ownConnects: 0,
  });
  const summary = stats.summary('count', 2000);
  assert.match(tickLine(tick, plain), /gone 1 \(recycled: 1\).*verdict stable/);
  const frame = renderFrame({ header, tick, notice: null }, { rows: 40, columns: 160 }, plain).join('\n');
  assert.match(frame, /recycled \(lived 400 s or more\)/);
  let written = '';
  linesView({ write: (text: string) => (written += text), isTTY: false }, plain).finish(summary);
  assert.match(written, /1 gone \(1 recycled\)\./);
  assert.match(
    written,
    /app@10\.0\.0\.5: stable, up to 2 connections at once; 1 new, 1 gone \(0\.50 new\/s\), 1 recycled/,
  );
  assert.match(
    written,
    /Verdict: stable\..*ended after a long life and was replaced \(recycled\): a pool retiring connections by age/,
  );
});
