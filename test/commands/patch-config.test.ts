/**
 * patch-config end to end on temporary trees laid out like a machine's /etc (never the real
 * one): --list, --dry-run, a real write, the no-op run, refusals, the prompt at a terminal,
 * what it says about the running server, and the CLI wiring.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import {
  type PatchConfigOptions,
  type PatchConfigWorld,
  runPatchConfig,
} from '../../src/commands/patch-config/index.ts';
import type { ListReport, PatchReport } from '../../src/commands/patch-config/report.ts';
import type { ServerTarget } from '../../src/connection/target.ts';
import type { IO } from '../../src/io.ts';
import { nodeFs } from '../../src/optionfile/index.ts';
import { UserError } from '../../src/output/errors.ts';
import { ExitCode } from '../../src/output/exit-codes.ts';
import type { ServerProgram } from '../../src/serverfiles/server-program.ts';
import { hasEscapeCodes } from '../helpers/ansi.ts';
import { memoryIO, UNWRAPPED } from '../helpers/io.ts';
import { requireRoot } from '../helpers/root.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { cliFlags, runCli, tcpTarget } from '../helpers/target.ts';
import { copyCase, printDefaults, printedValue, snapshot } from '../patch/oracle.ts';

const work = mkdtempSync(join(tmpdir(), 'dbcache-patch-config-'));
after(() => rmSync(work, { recursive: true, force: true }));
let server: TestServer;
before(async () => {
  server = await sharedServer();
});

/** A machine's /etc laid out under a temporary root: /etc/mysql/my.cnf -> mariadb.cnf, includedirs, ~/.my.cnf. */
function machine(caseName = 'debian-mariadb-versioned') {
  const root = mkdtempSync(join(work, 'machine-'));
  const etc = copyCase(caseName, root);
  symlinkSync('mariadb.cnf', join(etc, 'my.cnf'));
  const home = join(root, 'home');
  mkdirSync(home);
  writeFileSync(join(home, '.my.cnf'), '[client]\npassword = "p#ss"\n', { mode: 0o600 });
  const files = [join(root, 'etc-my.cnf'), join(etc, 'my.cnf'), join(home, '.my.cnf')].map((path) => ({
    path,
    required: false,
  }));
  const world: PatchConfigWorld = {
    fs: nodeFs,
    platform: 'linux',
    home,
    serverProgram: () => null,
    defaultFiles: files,
  };
  return { root, etc, home, world };
}

const noServer = (): ServerTarget => {
  throw new Error('an --offline run must not resolve the connection');
};

const OPTIONS: PatchConfigOptions = {
  list: false,
  dryRun: false,
  yes: false,
  force: false,
  offline: true,
  json: true,
  flavor: 'mariadb',
  serverVersion: '10.11',
};

async function patch(
  world: PatchConfigWorld,
  cwd: string,
  options: Partial<PatchConfigOptions>,
  io: { io: IO; captured: { stdout: string; stderr: string } } = memoryIO({}, cwd),
  target: () => ServerTarget = noServer,
) {
  const code = await runPatchConfig({ ...OPTIONS, ...options }, io.io, target, world);
  return { code, ...io.captured };
}

test('--list: the chain in read order, where wait_timeout is set, what it overrides; nothing written', async () => {
  const { etc, world } = machine();
  const before = snapshot(etc);
  const { code, stdout } = await patch(world, etc, { list: true });
  assert.equal(code, ExitCode.ok);
  const report = JSON.parse(stdout) as ListReport;
  assert.deepEqual(
    report.files.map((file) => [file.path.replace(`${etc}/`, ''), file.status, file.depth]),
    [
      [join(etc, '..', 'etc-my.cnf').replace(`${etc}/`, ''), 'missing', 0],
      ['my.cnf', 'read', 0],
      ['conf.d/mysql.cnf', 'read', 1],
      ['conf.d/mysqldump.cnf', 'read', 1],
      ['mariadb.conf.d/50-client.cnf', 'read', 1],
      ['mariadb.conf.d/50-mysql-clients.cnf', 'read', 1],
      ['mariadb.conf.d/50-mysqld_safe.cnf', 'read', 1],
      ['mariadb.conf.d/50-server.cnf', 'read', 1],
      ['mariadb.conf.d/60-galera.cnf', 'read', 1],
      [join(etc, '..', 'home', '.my.cnf').replace(`${etc}/`, ''), 'read', 0],
    ],
  );
  assert.equal(report.files[1]?.real_path, join(etc, 'mariadb.cnf'));
  assert.deepEqual(report.files[2]?.included_from, { file: join(etc, 'my.cnf'), line: 31 });
  assert.deepEqual(report.settings.wait_timeout, {
    file: join(etc, 'mariadb.conf.d/50-server.cnf'),
    line: 121,
    group: 'mariadb-10.11',
    raw_name: 'wait_timeout',
    value: '900',
    seconds: 900,
    problem: null,
  });
  assert.deepEqual(
    report.occurrences.wait_timeout.map((occurrence) => [
      occurrence.line,
      occurrence.group,
      occurrence.seconds,
    ]),
    [
      [42, 'mysqld', 28800],
      [121, 'mariadb-10.11', 900],
    ],
  );
  assert.equal(report.settings.interactive_timeout, null);
  assert.equal(report.running_server, null);
  assert.deepEqual(snapshot(etc), before);

  const human = await patch(world, etc, { list: true, json: false });
  assert.match(
    human.stdout,
    /^MariaDB 10\.11 \(from the command line\) reads these option files, in this order:/,
  );
  assert.match(human.stdout, /missing +\S+etc-my\.cnf/);
  assert.match(
    human.stdout,
    /wait_timeout +900 s +\S+50-server\.cnf line 121 \[mariadb-10\.11\]: wait_timeout = 900/,
  );
  assert.match(human.stdout, /overrides \S+50-server\.cnf line 42 \[mysqld\]: wait_timeout = 28800/);
  assert.match(human.stdout, /interactive_timeout +not set in any file: the server's default, 28800 s/);
  assert.equal(hasEscapeCodes(human.stdout), false);
});

test('--dry-run: a unified diff of the one line that changes, and not a byte written', async () => {
  const { etc, world } = machine();
  const before = snapshot(etc);
  const { code, stdout } = await patch(world, etc, { waitTimeout: 600, dryRun: true, json: false });
  assert.equal(code, ExitCode.ok);
  assert.match(stdout, /wait_timeout +900 s \(\S+ line 121 \[mariadb-10\.11\]\) -> 600 s: changed in place/);
  assert.match(
    stdout,
    /\n@@ -118,4 \+118,4 @@\n(.*\n){3}-wait_timeout = 900 {3}# 10\.11 only\n\+wait_timeout = 600 {3}# 10\.11 only\n/,
  );
  assert.match(stdout, /Dry run: nothing was written\./);
  assert.match(stdout, /Run the same command without --dry-run/);
  assert.deepEqual(snapshot(etc), before);
});

test('a write: backup, new value where it wins, JSON report; a second run changes nothing', async () => {
  const { root, etc, world } = machine();
  const before = snapshot(etc);
  const { code, stdout } = await patch(world, etc, { waitTimeout: 600, interactiveTimeout: 600 });
  assert.equal(code, ExitCode.ok);
  const report = JSON.parse(stdout) as PatchReport;
  const server = join(etc, 'mariadb.conf.d/50-server.cnf');
  assert.equal(report.written, true);
  assert.equal(report.dry_run, false);
  assert.deepEqual(
    report.settings.map((setting) => [
      setting.name,
      setting.action,
      setting.current?.seconds ?? null,
      setting.result.line,
    ]),
    [
      ['wait_timeout', 'set', 900, 121],
      ['interactive_timeout', 'insert', null, 122],
    ],
  );
  assert.deepEqual(
    report.settings[0]?.overridden.map((occurrence) => occurrence.line),
    [42],
  );
  assert.equal(report.changes.length, 1);
  assert.equal(report.changes[0]?.real_path, server);
  assert.match(report.changes[0]?.backup ?? '', /50-server\.cnf\.dbcache-\d{8}T\d{6}Z\.bak$/);
  assert.ok(
    readFileSync(report.changes[0]?.backup ?? '').equals(
      before.get('mariadb.conf.d/50-server.cnf') as Buffer,
    ),
  );
  assert.match(report.next_steps.join('\n'), /dbcache set-timeout 600 --interactive/);
  const printed = printDefaults(etc, 'my.cnf', 'mariadb');
  assert.equal(printedValue(printed, 'wait'), '600');
  assert.equal(printedValue(printed, 'interactive'), '600');
  assert.ok(readFileSync(join(root, 'home', '.my.cnf'), 'latin1').startsWith('[client]'));

  const again = await patch(world, etc, { waitTimeout: 600, interactiveTimeout: 600, json: false });
  assert.equal(again.code, ExitCode.ok);
  assert.match(again.stdout, /wait_timeout +600 s: already set at \S+50-server\.cnf line 121/);
  assert.match(again.stdout, /The files already set these values: nothing was changed\./);
});

test('refusals name the file and line and leave everything as it was', async () => {
  const dir = copyCase('refuse-bom', mkdtempSync(join(work, 'bom-')));
  const world: PatchConfigWorld = { fs: nodeFs, platform: 'linux', home: dir, serverProgram: () => null };
  const before = snapshot(dir);
  await assert.rejects(
    patch(world, dir, { waitTimeout: 600, file: 'my.cnf' }),
    (err: unknown) =>
      err instanceof UserError &&
      err.exitCode === ExitCode.file &&
      err.message.includes(`${join(dir, 'my.cnf')}, line 1: the file starts with a UTF-8 byte-order mark`),
  );
  const client = copyCase('refuse-client-file', mkdtempSync(join(work, 'client-')));
  const clientBefore = snapshot(client);
  await assert.rejects(
    patch({ ...world, home: client }, client, { waitTimeout: 600, file: '.my.cnf' }),
    (err: unknown) =>
      err instanceof UserError && err.exitCode === ExitCode.usage && /--force/.test(err.message),
  );
  assert.deepEqual(snapshot(dir), before);
  assert.deepEqual(snapshot(client), clientBefore, 'no byte, no backup, no temporary file');
});

test('an unknown server: MariaDB and MySQL must agree, or --flavor is asked for', async () => {
  const dir = mkdtempSync(join(work, 'flavor-'));
  writeFileSync(join(dir, 'my.cnf'), '[mysqld]\nwait_timeout = 100\n\n[mariadb]\nwait_timeout = 200\n');
  const world: PatchConfigWorld = { fs: nodeFs, platform: 'linux', home: dir, serverProgram: () => null };
  const unknown = { flavor: undefined, serverVersion: undefined, file: 'my.cnf' } as const;
  await assert.rejects(
    patch(world, dir, { ...unknown, waitTimeout: 600 }),
    (err: unknown) =>
      err instanceof UserError &&
      err.exitCode === ExitCode.usage &&
      /--flavor mariadb or --flavor mysql/.test(err.message),
  );
  const mysql: ServerProgram = {
    path: '/usr/sbin/mysqld',
    flavor: 'mysql',
    version: '8.0.36',
    files: [],
    groups: ['mysqld', 'server', 'mysqld-8.0'],
  };
  const { stdout } = await patch({ ...world, serverProgram: () => mysql }, dir, {
    ...unknown,
    waitTimeout: 600,
    dryRun: true,
  });
  const report = JSON.parse(stdout) as PatchReport;
  assert.deepEqual(
    [report.server.flavor, report.server.known_from, report.server.program],
    ['mysql', 'server program', '/usr/sbin/mysqld'],
  );
  assert.equal(report.settings[0]?.current?.line, 2, 'MySQL does not read [mariadb]');
});

/** Stdin at a terminal that answers the prompt; stdout a terminal too, or redirected (`> log`). */
function terminal(cwd: string, answer: string, stdoutIsTerminal = true) {
  const captured = { stdout: '', stderr: '' };
  const stdin = Object.assign(Readable.from([Buffer.from(answer)]), { isTTY: true });
  const io: IO = {
    stdout: { write: (text: string) => (captured.stdout += text), isTTY: stdoutIsTerminal },
    stderr: { write: (text: string) => (captured.stderr += text), isTTY: true },
    stdin,
    env: { NO_COLOR: '1', ...UNWRAPPED },
    cwd,
    now: () => Date.parse('2025-01-02T03:04:05Z'),
  };
  return { io, captured };
}

test('at a terminal it shows the diff and asks; no writes without a yes, --yes skips the question', async () => {
  const { etc, world } = machine();
  const before = snapshot(etc);
  const declined = await patch(world, etc, { waitTimeout: 600, json: false }, terminal(etc, 'n\n'));
  assert.equal(declined.code, ExitCode.ok);
  assert.match(declined.stdout, /\+wait_timeout = 600 {3}# 10\.11 only\n/);
  assert.equal(
    declined.stderr,
    `Write this to ${join(etc, 'mariadb.conf.d/50-server.cnf')}? [y/N] Nothing was written.\n`,
  );
  assert.deepEqual(snapshot(etc), before);

  const accepted = await patch(world, etc, { waitTimeout: 600, json: false }, terminal(etc, 'yes\n'));
  assert.equal(accepted.stdout.split('+wait_timeout = 600').length - 1, 1, 'the diff is shown once');
  assert.equal(accepted.stdout.split('-> 600 s').length - 1, 1, 'the plan is shown once');
  assert.match(
    accepted.stdout,
    /Wrote \S+50-server\.cnf \(the old version is in \S+50-server\.cnf\.dbcache-20250102T030405Z\.bak\)\./,
  );
  assert.equal(printedValue(printDefaults(etc, 'my.cnf', 'mariadb'), 'wait'), '600');

  const unasked = await patch(world, etc, { waitTimeout: 700, json: false, yes: true }, terminal(etc, ''));
  assert.doesNotMatch(unasked.stdout + unasked.stderr, /\[y\/N\]/);
  assert.equal(printedValue(printDefaults(etc, 'my.cnf', 'mariadb'), 'wait'), '700');
});

test('stdout redirected (> log) at a terminal: the diff and the question go where the person sees them, stderr', async () => {
  const { etc, world } = machine();
  const before = snapshot(etc);
  const declined = await patch(world, etc, { waitTimeout: 600, json: false }, terminal(etc, 'no\n', false));
  assert.equal(declined.stdout, '', 'nothing for the log but the outcome, and there is none');
  assert.match(
    declined.stderr,
    /^MariaDB 10\.11[\s\S]*\n\+wait_timeout = 600 {3}# 10\.11 only\n[\s\S]*Write this to \S+50-server\.cnf\? \[y\/N\] Nothing was written\.\n$/,
  );
  assert.deepEqual(snapshot(etc), before);
  const accepted = await patch(world, etc, { waitTimeout: 600, json: false }, terminal(etc, 'y\n', false));
  assert.match(accepted.stdout, /Read back: the server will start with wait_timeout 600 s\./);
  assert.match(accepted.stderr, /\[y\/N\] $/);
});

test('--json at a terminal asks too (on stderr), and a "no" writes nothing', async () => {
  const { etc, world } = machine();
  const before = snapshot(etc);
  const declined = await patch(world, etc, { waitTimeout: 600, json: true }, terminal(etc, 'n\n'));
  assert.equal(declined.code, ExitCode.ok);
  assert.match(
    declined.stderr,
    /\+wait_timeout = 600 {3}# 10\.11 only\n[\s\S]*\[y\/N\] Nothing was written\.\n$/,
  );
  const report = JSON.parse(declined.stdout) as PatchReport;
  assert.deepEqual([report.written, report.dry_run, report.changes[0]?.backup], [false, false, null]);
  assert.deepEqual(snapshot(etc), before);
  const accepted = await patch(world, etc, { waitTimeout: 600, json: true }, terminal(etc, 'y\n'));
  assert.equal((JSON.parse(accepted.stdout) as PatchReport).written, true);
  assert.equal(printedValue(printDefaults(etc, 'my.cnf', 'mariadb'), 'wait'), '600');
});

test('a file changed while the question waited (even one not edited): nothing is written', async () => {
  const { etc, world } = machine();
  const galera = join(etc, 'mariadb.conf.d/60-galera.cnf');
  const before = snapshot(etc);
  await assert.rejects(
    patch(
      { ...world, afterConfirm: () => writeFileSync(galera, '[galera]\n[mysqld]\nwait_timeout = 5\n') },
      etc,
      { waitTimeout: 600, json: false },
      terminal(etc, 'y\n'),
    ),
    (err: unknown) =>
      err instanceof UserError &&
      err.exitCode === ExitCode.file &&
      err.message.startsWith(`${galera} changed since dbcache read it`) &&
      err.message.endsWith('Nothing was written.'),
  );
  const after = snapshot(etc);
  after.delete('mariadb.conf.d/60-galera.cnf');
  before.delete('mariadb.conf.d/60-galera.cnf');
  assert.deepEqual(after, before);
});

test("a server on a loopback address whose host name is not this machine's (a container) is not taken for local", async () => {
  const { etc, world } = machine();
  const { io, captured } = memoryIO({}, etc);
  const elsewhere = { ...world, hostname: () => 'not-this-machine' };
  const asked = { ...OPTIONS, offline: false, flavor: undefined, serverVersion: undefined, waitTimeout: 600 };
  const before = snapshot(etc);
  await assert.rejects(
    runPatchConfig(asked, io, () => tcpTarget(server, io), elsewhere),
    (err: unknown) =>
      err instanceof UserError &&
      err.exitCode === ExitCode.usage &&
      /is not on this machine: its host name is \S+ and this machine's is not-this-machine .*--file.*--offline/.test(
        err.message,
      ),
  );
  assert.deepEqual(snapshot(etc), before);
  await runPatchConfig(
    { ...asked, list: true, waitTimeout: undefined },
    io,
    () => tcpTarget(server, io),
    elsewhere,
  );
  const listed = JSON.parse(captured.stdout) as ListReport;
  assert.deepEqual(
    [listed.running_server?.local, listed.running_server?.flavor, listed.server.known_from],
    [false, null, 'nothing'],
  );
  assert.match(listed.running_server?.elsewhere ?? '', /not-this-machine/);
});

test('the local running server is asked: its values now, and that it does not read these files', async () => {
  const { etc, world } = machine();
  const { io, captured } = memoryIO({}, etc);
  const asked = {
    ...OPTIONS,
    offline: false,
    flavor: undefined,
    serverVersion: undefined,
    waitTimeout: 600,
    dryRun: true,
  };
  await assert.rejects(
    runPatchConfig(asked, io, () => tcpTarget(server, io), world),
    (err: unknown) =>
      err instanceof UserError &&
      err.exitCode === ExitCode.usage &&
      /was started with --no-defaults, so it reads no option file/.test(err.message),
    'the test server runs with --no-defaults: without --file there is nothing to patch',
  );
  const code = await runPatchConfig({ ...asked, file: 'my.cnf' }, io, () => tcpTarget(server, io), world);
  assert.equal(code, ExitCode.ok);
  assert.deepEqual((JSON.parse(captured.stdout) as PatchReport).running_server?.started_with, [
    '--no-defaults',
  ]);
  const report = JSON.parse(captured.stdout) as PatchReport;
  assert.equal(report.server.known_from, 'running server');
  assert.equal(report.server.flavor, 'mariadb');
  const running = report.running_server;
  assert.ok(running);
  assert.deepEqual([running.local, running.error, running.flavor], [true, null, 'MariaDB']);
  assert.equal(typeof running.wait_timeout, 'number');
  assert.deepEqual(running.config_files, [], 'the test server runs with --no-defaults');
  assert.equal(running.reads_these_files, false);
  assert.match(
    report.next_steps.join('\n'),
    /does not seem to read these files: it reports no setting from any option file/,
  );
});

test('the CLI: writes with --file, exit 2 for bad flags, exit 6 for a refused file, no stack traces', async () => {
  const dir = copyCase('ubuntu-mysql', mkdtempSync(join(work, 'cli-')));
  const run = (...args: string[]) => runCli(['patch-config', ...args], { HOME: dir });
  const written = await run(
    '--wait-timeout',
    '10m',
    '--file',
    join(dir, 'mysql.conf.d/mysqld.cnf'),
    '--flavor',
    'mysql',
    '--offline',
    '--json',
  );
  assert.equal(written.code, 0, written.stderr);
  const report = JSON.parse(written.stdout) as PatchReport;
  assert.deepEqual(
    [report.written, report.settings[0]?.action, report.settings[0]?.requested],
    [true, 'insert', 600],
  );
  assert.match(
    readFileSync(join(dir, 'mysql.conf.d/mysqld.cnf'), 'latin1'),
    /\nmax_connections\t= 300\nwait_timeout\t= 600\n/,
  );

  const usage = await run('--file', 'x.cnf', '--offline');
  assert.equal(usage.code, ExitCode.usage);
  assert.match(usage.stderr, /Give the value to write with --wait-timeout/);
  const tooLow = await run('--wait-timeout', '5', '--file', 'x.cnf', '--offline');
  assert.equal(tooLow.code, ExitCode.usage);
  assert.match(tooLow.stderr, /add --force/);
  assert.equal((await run('--list', '--wait-timeout', '60', '--offline')).code, ExitCode.usage);

  const bom = copyCase('refuse-bom', mkdtempSync(join(work, 'cli-bom-')));
  const refused = await run(
    '--wait-timeout',
    '600',
    '--file',
    join(bom, 'my.cnf'),
    '--flavor',
    'mariadb',
    '--offline',
  );
  assert.equal(refused.code, ExitCode.file);
  assert.match(
    refused.stderr,
    /^dbcache: Option file \S+my\.cnf, line 1: the file starts with a UTF-8 byte-order mark/,
  );
  assert.doesNotMatch(refused.stderr, /\n\s+at /);
  const missing = await run('--wait-timeout', '600', '--file', join(bom, 'nope.cnf'), '--offline');
  assert.equal(missing.code, ExitCode.file);
  assert.match(missing.stderr, /nope\.cnf does not exist\./);
  assert.doesNotMatch(missing.stderr, /would not start/);

  const connected = await run(
    '--list',
    '--file',
    join(dir, 'mysql.conf.d/mysqld.cnf'),
    ...cliFlags(server),
    '--json',
  );
  assert.equal(connected.code, 0, connected.stderr);
  assert.equal((JSON.parse(connected.stdout) as ListReport).running_server?.local, true);
});

const BIN = join(import.meta.dirname, '../../bin/dbcache.js');

/** The built CLI, stdout as bytes; `asNobody` runs it as user nobody (the tests run as root in CI). */
function cliBytes(args: string[], options: { cwd?: string; asNobody?: boolean } = {}) {
  if (options.asNobody) requireRoot('running dbcache as user nobody (setpriv)');
  const command = options.asNobody
    ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args]
    : [process.execPath, BIN, ...args];
  const run = spawnSync(command[0] as string, command.slice(1), {
    cwd: options.cwd ?? work,
    env: { PATH: process.env.PATH, HOME: join(work, 'no-home'), ...UNWRAPPED },
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr.toString() };
}

test('the CLI diff is the bytes: GNU patch applies it to a Latin-1 file (cd / && patch -p1) and gets what dbcache writes', () => {
  const root = mkdtempSync(join(work, 'latin1-'));
  const shown = copyCase('latin1-comments', join(root, 'shown'));
  const written = copyCase('latin1-comments', join(root, 'written'));
  const args = ['--wait-timeout', '600', '--flavor', 'mariadb', '--offline'];
  const dry = cliBytes(['patch-config', ...args, '--file', join(shown, 'my.cnf'), '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  const relative = join(shown, 'my.cnf').slice(1);
  assert.ok(dry.stdout.includes(Buffer.from(`--- a/${relative}\n+++ b/${relative}\n`)));
  assert.ok(
    dry.stdout.includes(Buffer.from('\t# Voreinstellung \xa7 3\n', 'latin1')),
    'Latin-1 bytes as they are',
  );
  assert.ok(!dry.stdout.includes(Buffer.from('\ufffd')), 'no replacement characters');
  // The whole output, as a person would save it: patch skips the text around the diff.
  const applied = spawnSync('patch', ['-p1', '--batch', '--forward'], { cwd: '/', input: dry.stdout });
  assert.equal(applied.status, 0, `${applied.stdout}${applied.stderr}`);
  assert.doesNotMatch(applied.stderr.toString(), /dangerous/);
  const write = cliBytes(['patch-config', ...args, '--file', join(written, 'my.cnf'), '--yes']);
  assert.equal(write.code, 0, write.stderr);
  assert.ok(readFileSync(join(shown, 'my.cnf')).equals(readFileSync(join(written, 'my.cnf'))));
  assert.equal(printedValue(printDefaults(shown, 'my.cnf', 'mariadb'), 'wait'), '600');
});

test('a file the user running dbcache may not read: the write is refused, --list warns (as user nobody)', () => {
  const dir = mkdtempSync(join(work, 'unreadable-'));
  for (const path of [work, dir]) chmodSync(path, 0o755);
  writeFileSync(join(dir, 'my.cnf'), `[mysqld]\nmax_connections=100\n!include ${join(dir, 'secret.cnf')}\n`, {
    mode: 0o644,
  });
  writeFileSync(join(dir, 'secret.cnf'), '[mysqld]\nwait_timeout=100\n', { mode: 0o600 });
  const before = snapshot(dir);
  const args = [
    '--file',
    join(dir, 'my.cnf'),
    '--flavor',
    'mariadb',
    '--server-version',
    '10.11',
    '--offline',
  ];
  const refused = cliBytes(['patch-config', '--wait-timeout', '600', '--yes', ...args], { asNobody: true });
  assert.equal(refused.code, ExitCode.file, refused.stderr);
  assert.match(
    refused.stderr,
    /^dbcache: The user running dbcache may not read \S+secret\.cnf \(from \S+my\.cnf line 3\), which the server reads too: what it sets could override wait_timeout\. Run dbcache as root or as the server's user\. Nothing was written\.\n$/,
  );
  assert.deepEqual(snapshot(dir), before);
  const listed = cliBytes(['patch-config', '--list', ...args], { asNobody: true });
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout.toString(), /unreadable +\S+secret\.cnf/);
  assert.match(listed.stdout.toString(), /wait_timeout +not set in any file dbcache could read/);
  assert.match(
    listed.stdout.toString(),
    /warning The user running dbcache may not read \S+secret\.cnf .*patch-config refuses to write/,
  );
  // As root (the server's side of it), the same command sees the value that wins.
  assert.equal(printedValue(printDefaults(dir, 'my.cnf', 'mariadb'), 'wait'), '100');
});

test("the user's own read-only file is replaced as it was; an owner outside the file's group is told so (as user nobody)", () => {
  const NOBODY = 65534;
  const dir = mkdtempSync(join(work, 'owned-'));
  chmodSync(work, 0o755);
  chownSync(dir, NOBODY, NOBODY);
  const file = join(dir, 'my.cnf');
  const args = ['--file', file, '--flavor', 'mariadb', '--server-version', '10.11', '--offline'];
  writeFileSync(file, '[mysqld]\nmax_connections=100\n', { mode: 0o444 });
  chownSync(file, NOBODY, NOBODY);
  chmodSync(file, 0o444);
  const written = cliBytes(['patch-config', '--wait-timeout', '600', '--yes', ...args], { asNobody: true });
  assert.equal(written.code, 0, written.stderr);
  assert.equal(readFileSync(file, 'utf8'), '[mysqld]\nmax_connections=100\nwait_timeout=600\n');
  const stats = statSync(file);
  assert.deepEqual([stats.mode & 0o7777, stats.uid, stats.gid], [0o444, NOBODY, NOBODY]);

  // Its group is root's: only root can give the new file that group back.
  chownSync(file, NOBODY, 0);
  const before = snapshot(dir);
  const refused = cliBytes(['patch-config', '--wait-timeout', '900', '--yes', ...args], { asNobody: true });
  assert.equal(refused.code, ExitCode.file, refused.stderr);
  assert.match(
    refused.stderr,
    /Cannot give the new \S+my\.cnf the owner and group of the old one \(uid 65534, gid 0\): .+\. Run dbcache as root or as a member of the file's group \(gid 0\)\./,
  );
  assert.deepEqual(snapshot(dir), before);
});
