import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runWatchConnections } from '../../src/commands/watch-connections/index.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { cliFlags, tcpTarget } from '../helpers/target.ts';

const ESC = '\u001b';
const CLEAR_SCREEN = `${ESC}[H${ESC}[2J`;
const stripEscapes = (text: string) => text.replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), '');

let server: TestServer;
before(async () => {
  server = await sharedServer();
});

/** A terminal stdout as Node gives it: rows and columns, and 'resize' on SIGWINCH. */
class FakeTerminal extends EventEmitter {
  text = '';
  isTTY = true;
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

/** Waits for what the test needs; the deadline only turns a hang into a failure. */
async function until(what: string, check: () => boolean, output: () => string): Promise<void> {
  for (let waited = 0; !check(); waited += 50) {
    if (waited > 60_000) throw new Error(`Never saw ${what}. Output:\n${output()}`);
    await delay(50);
  }
}

test('the command on a terminal: a resize reaches the screen, which clears and redraws at the new size', async () => {
  const { io } = memoryIO();
  const terminal = new FakeTerminal(120, 40);
  io.stdout = terminal;
  const controller = new AbortController();
  const done = runWatchConnections(
    { intervalMs: 200, filters: { user: ['root'], db: [], host: [] }, json: false },
    io,
    tcpTarget(server, io),
    { signal: controller.signal },
  );
  const ticks = () => terminal.text.match(/ · tick \d+ · /g)?.length ?? 0;
  await until(
    'two ticks',
    () => ticks() >= 2,
    () => terminal.text,
  );
  const mark = terminal.text.length;
  terminal.resize(80, 24);
  const seen = ticks();
  await until(
    'a tick after the resize',
    () => ticks() > seen,
    () => terminal.text,
  );
  controller.abort();
  assert.equal(await done, ExitCode.ok);
  const after = terminal.text.slice(mark);
  assert.ok(after.startsWith(CLEAR_SCREEN), `cleared at once: ${JSON.stringify(after.slice(0, 40))}`);
  // Every frame drawn after the resize fits 80 columns.
  const frames = stripEscapes(after.slice(0, after.indexOf('\nSummary')));
  for (const line of frames.split('\n')) assert.ok(line.length <= 80, `too wide after the resize: ${line}`);
  assert.equal(terminal.listenerCount('resize'), 0, 'the screen stopped listening when the watch ended');
});

const BIN = fileURLToPath(new URL('../../bin/dbcache.js', import.meta.url));
const run = promisify(execFile);

/**
 * The real thing: the CLI in a tmux terminal of 80x24, resized while it runs. tmux keeps what a
 * terminal shows, so the test reads the screen as a person would see it.
 */
test('in a real terminal (tmux) at 80x24 the tick counter and clock show, and resizing leaves no old frame above', async () => {
  const socket = `dbcache-test-${process.pid}`;
  const tmux = (...args: string[]) => run('tmux', ['-L', socket, '-f', '/dev/null', ...args]);
  const screen = async () => (await tmux('capture-pane', '-p', '-t', 'watch')).stdout;
  const command = [
    process.execPath,
    BIN,
    'watch-connections',
    ...cliFlags(server),
    '--interval',
    '300ms',
    '--filter-user',
    server.user,
  ]
    .map((word) => `'${word.replaceAll("'", "'\\''")}'`)
    .join(' ');
  // The pane stays after the CLI ends, so its summary can be read.
  await tmux('new-session', '-d', '-x', '80', '-y', '24', '-s', 'watch', `${command}; sleep 60`);
  try {
    let text = '';
    const shows = async (what: RegExp) => {
      for (let waited = 0; ; waited += 100) {
        text = await screen();
        if (what.test(text)) return;
        if (waited > 60_000) throw new Error(`The terminal never showed ${what}:\n${text}`);
        await delay(100);
      }
    };
    const liveness = /\btick (\d+) · \d\d:\d\d:\d\d/;
    const tickNow = () => Number(liveness.exec(text)?.[1] ?? 0);
    const headers = () => text.match(/dbcache watch-connections/g)?.length ?? 0;

    await shows(/\btick [3-9]\d* · /);
    const lines = text.split('\n');
    assert.match(lines[0] ?? '', /^dbcache watch-connections · MariaDB .* as root$/, text);
    assert.match(lines[1] ?? '', liveness, text);
    assert.match(text, /Threads_connected \d+/);
    assert.match(text, /Ctrl-C stops and prints a summary\./);
    assert.equal(headers(), 1, text);

    for (const [columns, rows] of [
      [120, 40],
      [60, 20],
      [80, 24],
    ]) {
      await tmux('resize-window', '-t', 'watch', '-x', String(columns), '-y', String(rows));
      const before = tickNow();
      await shows(new RegExp(`\\btick (?!${before} )\\d+ · `));
      assert.equal(headers(), 1, `old frames above after a resize to ${columns}x${rows}:\n${text}`);
      assert.ok(text.startsWith('dbcache watch-connections'), `the frame starts at the top:\n${text}`);
      assert.match(text, liveness);
      if (columns === 120) assert.match(text.split('\n')[0] ?? '', liveness, 'one header line when it fits');
    }

    await tmux('send-keys', '-t', 'watch', 'C-c');
    await shows(/Summary: \d+ ticks/);
    assert.match(text, /Verdict: /);
  } finally {
    await tmux('kill-server').catch(() => undefined);
  }
});
