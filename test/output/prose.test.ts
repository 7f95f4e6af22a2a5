import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { Chalk } from 'chalk';
import { wrapProse } from '../../src/output/prose.ts';
import { DEFAULT_WIDTH, messageWidthOf, widthOf } from '../../src/output/width.ts';

const SENTENCE =
  "An application pool's connections get 28800 s (8 h) of idle time before the server closes them: a driver connection is non-interactive and starts with the global wait_timeout.";

const words = (text: string) => stripVTControlCharacters(text).split(/\s+/).filter(Boolean);

for (const width of [40, 80, 120]) {
  test(`wrapProse at ${width} columns: no line is wider, no word is cut, the lines after the first hang under the text`, () => {
    const lead = '  → ';
    const wrapped = wrapProse(SENTENCE.repeat(2), width, lead);
    const lines = wrapped.split('\n');
    assert.ok(lines.length > 1);
    for (const line of lines) assert.ok(line.length <= width, `${line.length} > ${width}: ${line}`);
    assert.deepEqual(words(wrapped), words(`${lead}${SENTENCE.repeat(2)}`));
    assert.ok(lines[0]?.startsWith(lead));
    for (const line of lines.slice(1)) assert.match(line, /^ {4}\S/);
  });
}

test('wrapProse: colors do not count toward the width and survive the wrap; a word longer than a line stays whole', () => {
  const color = new Chalk({ level: 1 });
  const path = `/var/lib/${'deep/'.repeat(20)}my.cnf`;
  const wrapped = wrapProse(
    `${color.bold('28800 s')} is set in ${path} line 3, which the server reads.`,
    40,
    `${color.yellow('warning')} `,
  );
  for (const line of stripVTControlCharacters(wrapped).split('\n')) {
    assert.ok(line.length <= 40 || line.trim() === path, line);
  }
  assert.ok(
    stripVTControlCharacters(wrapped)
      .split('\n')
      .some((line) => line.trim() === path),
  );
  assert.ok(wrapped.includes('\u001b[1m28800 s\u001b[22m'), 'the bold text is still bold');
});

test('wrapProse leaves short text and an infinite width alone', () => {
  assert.equal(wrapProse('Dry run: nothing was written.', 80), 'Dry run: nothing was written.');
  assert.equal(wrapProse(SENTENCE, Number.POSITIVE_INFINITY, 'note '), `note ${SENTENCE}`);
});

test('widthOf: COLUMNS first, then the terminal, else 80; messages on stderr wrap only at a terminal', () => {
  const terminal = { write: () => true, isTTY: true, columns: 120 };
  const pipe = { write: () => true, isTTY: false, columns: 120 };
  assert.equal(widthOf(terminal), 120);
  assert.equal(widthOf(pipe), DEFAULT_WIDTH);
  assert.equal(DEFAULT_WIDTH, 80);
  assert.equal(widthOf({ write: () => true, isTTY: true }), 80, 'a terminal of unknown width');
  assert.equal(widthOf(pipe, { COLUMNS: '100' }), 100);
  assert.equal(widthOf(terminal, { COLUMNS: '100' }), 100);
  assert.equal(widthOf(terminal, { COLUMNS: 'wide' }), 120);
  assert.equal(messageWidthOf(terminal), 120);
  assert.equal(messageWidthOf(pipe), Number.POSITIVE_INFINITY);
});
