import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressBar } from '../../src/commands/bench/progress.ts';
import { memoryIO } from '../helpers/io.ts';

function terminalIO() {
  const { io } = memoryIO();
  const drawn: string[] = [];
  let now = 0;
  io.stderr = { isTTY: true, write: (text: string) => drawn.push(text) };
  io.now = () => now;
  return { io, drawn, tick: (ms: number) => (now += ms) };
}

test('on a terminal the bar redraws at most every 100 ms, always shows the end, then clears its line', () => {
  const { io, drawn, tick } = terminalIO();
  const bar = progressBar(io, 'per request', 10);
  for (let completed = 1; completed <= 10; completed++) {
    bar.update(completed);
    tick(30);
  }
  bar.done();
  // Drawn at 1 (t=0), 5 (t=120), 9 (t=240), and 10 because it is the last.
  assert.deepEqual(
    drawn.slice(0, -1).map((line) => /(\d+)\/10$/.exec(line)?.[1]),
    ['1', '5', '9', '10'],
  );
  assert.equal(drawn[3], `\r\u001b[Kper request [${'#'.repeat(30)}] 10/10`);
  assert.equal(drawn.at(-1), '\r\u001b[K');
});

test('off a terminal (a pipe, a file, CI) nothing is drawn', () => {
  const { io, captured } = memoryIO();
  const bar = progressBar(io, 'pooled', 5);
  for (let completed = 1; completed <= 5; completed++) bar.update(completed);
  bar.done();
  assert.equal(captured.stderr, '');
});
