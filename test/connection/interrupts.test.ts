import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeStop, Interrupted, Interrupts } from '../../src/interrupt.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import { sharedServer } from '../helpers/server.ts';
import { cliEnv, cliFlags } from '../helpers/target.ts';

function withExits() {
  const exits: number[] = [];
  return { interrupts: new Interrupts((code) => exits.push(code)), exits };
}

test('a press with nothing handling it ends the process with 130, as Ctrl-C always did', () => {
  const { interrupts, exits } = withExits();
  interrupts.press('SIGINT');
  assert.deepEqual(exits, [ExitCode.interrupted]);
  interrupts.press('SIGTERM');
  assert.deepEqual(exits, [ExitCode.interrupted, ExitCode.interrupted]);
});

test('while work is handled: the first press aborts the signal, a second Ctrl-C the urgent one; SIGTERM is always a first press', async () => {
  const { interrupts, exits } = withExits();
  let urgentCalls = 0;
  await interrupts.handle(async () => {
    interrupts.press('SIGTERM');
    assert.equal(interrupts.signal.aborted, true);
    assert.equal(describeStop(interrupts.signal), 'SIGTERM');
    assert.ok(interrupts.signal.reason instanceof Interrupted);
    interrupts.press('SIGTERM');
    assert.equal(interrupts.urgent.aborted, false, 'a second SIGTERM is still a polite stop');
    const stop = interrupts.onUrgent(() => (urgentCalls += 1));
    interrupts.press('SIGINT');
    assert.equal(interrupts.urgent.aborted, true);
    assert.equal(urgentCalls, 1);
    stop();
  });
  assert.deepEqual(exits, [], 'nothing exited while the work handled the presses');
});

test('a second Ctrl-C that nothing listens for ends the process at once', async () => {
  const { interrupts, exits } = withExits();
  await interrupts.handle(async () => {
    interrupts.press('SIGINT');
    assert.deepEqual(exits, []);
    interrupts.press('SIGINT');
    assert.deepEqual(exits, [ExitCode.interrupted]);
  });
});

test('holdable: a first press aborts outside hold, is held inside it, and a second Ctrl-C aborts it there', async () => {
  const outside = new Interrupts();
  const free = outside.holdable();
  outside.press('SIGINT');
  assert.equal(free.signal.aborted, true);
  free.release();

  const inside = new Interrupts();
  const held = inside.holdable();
  await held.hold(async () => {
    inside.press('SIGINT');
    assert.equal(inside.signal.aborted, true);
    assert.equal(held.signal.aborted, false, 'held while the work runs');
    inside.press('SIGINT');
    assert.equal(held.signal.aborted, true, 'the second Ctrl-C stops it');
  });
  held.release();
});

test('watch-connections: SIGTERM mid-run ends the watch like Ctrl-C, with the summary and exit 0', async () => {
  const server = await sharedServer();
  const bin = fileURLToPath(new URL('../../bin/dbcache.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [bin, 'watch-connections', '--interval', '200ms', '--json', ...cliFlags(server)],
    {
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  // Not a speed limit: a watch still running after this is a hang.
  const hang = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const exited = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => resolve(signal ? -1 : (code ?? -1))),
  );
  while ((stdout.match(/"type":"tick"/g) ?? []).length < 2) {
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGTERM');
  const code = await exited;
  clearTimeout(hang);
  assert.equal(code, ExitCode.ok, stderr);
  const last = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { type?: string; stopped_by?: string };
  assert.equal(last.type, 'summary');
  assert.equal(last.stopped_by, 'signal');
});
