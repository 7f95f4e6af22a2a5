import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Chalk } from 'chalk';
import { frame, linesProgress, screenProgress, timeLeftMs } from '../../src/commands/probe-idle/progress.ts';
import type { ProbeSnapshot, TestRecord } from '../../src/probe/engine.ts';

const plain = new Chalk({ level: 0 });
const alive = (idleMs: number): TestRecord => ({
  probe: 1,
  connectionId: 7,
  idleMs,
  outcome: 'alive',
  whileIdle: false,
  atMs: idleMs,
  serverStillHadIt: null,
  attribution: null,
  error: null,
  errno: null,
});
const snapshot: ProbeSnapshot = {
  elapsedMs: 65_000,
  bracket: { lo: 60_000, hi: null },
  maxIdleMs: 1_800_000,
  probes: [
    { probe: 2, connectionId: 8, idleMs: 64_000, pingAtMs: null, keepalive: false },
    { probe: 13, connectionId: 19, idleMs: 65_000, pingAtMs: null, keepalive: true },
  ],
  tests: [alive(48_000), alive(60_000)],
  keepalive: null,
};

test('the screen shows the ladder, what is known so far and the time left at most', () => {
  const lines = frame(snapshot, 'probe 1: alive after 60.0 s', plain, 'dbcache probe-idle: db:3306');
  assert.equal(lines[0], 'dbcache probe-idle: db:3306');
  assert.match(lines[1] ?? '', /^elapsed 1:05, at most about \d+:\d\d left; silences tested up to 1800 s$/);
  assert.equal(lines[2], 'known so far: idle connections survive 60 s');
  assert.ok(lines.includes('      48 s  alive'));
  assert.ok(lines.some((line) => line === 'probes silent for: 64 s  k65 s'));
  assert.equal(lines.at(-1), 'probe 1: alive after 60.0 s');
});

test('time left: up to the top of the ladder while climbing, to the keepalive verdict once a cut is known', () => {
  assert.equal(timeLeftMs(snapshot, 0), 1_800_000 * 1.1 - 65_000);
  const cut = { ...snapshot, bracket: { lo: 60_000, hi: 75_000 } };
  assert.equal(timeLeftMs(cut, 0), Math.round(75_000 * 1.1) * 1.1 - 65_000);
});

test('in place on a terminal (cursor hidden, redrawn over itself, restored); one line per event in a pipe', () => {
  let screen = '';
  const view = screenProgress(
    { write: (text) => (screen += String(text)), isTTY: true },
    plain,
    'h',
    () => 0,
  );
  view.update(snapshot, 'first');
  view.update(snapshot, 'second');
  view.done();
  assert.ok(screen.startsWith('\u001b[?25l'));
  assert.ok(
    screen.includes(`\u001b[${frame(snapshot, 'first', plain, 'h').length}F`),
    'redrawn over the last frame',
  );
  assert.ok(screen.endsWith('\u001b[?25h'));
  let piped = '';
  const lines = linesProgress({ write: (text) => (piped += String(text)) }, 'header');
  lines.update(snapshot, 'probe 1: alive after 60.0 s');
  assert.equal(piped, 'header\n[1:05] probe 1: alive after 60.0 s\n');
});
