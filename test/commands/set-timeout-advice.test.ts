/**
 * set-timeout's notes: a change that lowers wait_timeout says first that the pools come first,
 * and "keep it across restarts" fits the server (issue 10, item 3).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import { runSetTimeout, type SetTimeoutOptions } from '../../src/commands/set-timeout/index.ts';
import type { SetTimeoutReport } from '../../src/commands/set-timeout/report.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, tcpTarget } from '../helpers/target.ts';

let server: TestServer;
let admin: Connection;
before(async () => {
  server = await sharedServer();
  admin = await adminConnection(server);
});
afterEach(() => admin.query('SET GLOBAL wait_timeout = DEFAULT, GLOBAL interactive_timeout = DEFAULT'));
after(() => admin.end());

async function set(seconds: number, options: Partial<SetTimeoutOptions> = {}) {
  const { io, captured } = memoryIO();
  const all = {
    seconds,
    interactive: false,
    persist: false,
    dryRun: false,
    force: false,
    json: true,
    ...options,
  };
  await runSetTimeout(all, io, tcpTarget(server, io));
  return captured.stdout;
}

test('lowering, dry run or not, leads with the pools: generate for the new value and watch before running it', async () => {
  const dry = JSON.parse(await set(600, { dryRun: true })) as SetTimeoutReport;
  // First unless the server is managed or the change could not be checked (those come first).
  assert.equal(dry.notes[0]?.code, 'lowered-pools-first');
  const message = dry.notes[0]?.message ?? '';
  assert.match(message, /lowers wait_timeout from 28800 s to 600 s/);
  assert.match(message, /dbcache generate <framework> --timeout 600/);
  assert.match(message, /dbcache watch-connections/);
  assert.match(message, /before you run this/);
  assert.match(message, /gone away/);

  const text = await set(600, { dryRun: true, json: false });
  assert.match(text, /warning This lowers wait_timeout from 28800 s to 600 s/, 'a warning, not a note');

  const done = JSON.parse(await set(600)) as SetTimeoutReport;
  assert.equal(done.notes[0]?.code, 'lowered-pools-first');
  assert.match(done.notes[0]?.message ?? '', /This lowered wait_timeout from 28800 s to 600 s/);
  assert.match(done.notes[0]?.message ?? '', /put the old value back \(the undo below\)/);
});

test('raising the timeout, or setting the value it already has, says nothing about pools first', async () => {
  await admin.query('SET GLOBAL wait_timeout = 300');
  const raise = JSON.parse(await set(600)) as SetTimeoutReport;
  assert.ok(!raise.notes.some((note) => note.code === 'lowered-pools-first'));
  const same = JSON.parse(await set(600)) as SetTimeoutReport;
  assert.ok(!same.notes.some((note) => note.code === 'lowered-pools-first'));
});

test('on a server that reads no option file, keeping the value is a startup flag, not patch-config', async () => {
  // The suite's server runs with --no-defaults.
  const report = JSON.parse(await set(900, { dryRun: true })) as SetTimeoutReport;
  const note = report.notes.find((n) => n.code === 'not-persisted')?.message ?? '';
  assert.match(note, /starts with the value on its command line, or the default 28800 s/);
  assert.match(note, /--wait-timeout=900 on the command that starts the server/);
  assert.doesNotMatch(note, /patch-config --wait-timeout/);
});
