/**
 * The server's own parser is the oracle: for every corpus file, what readOptions() returns must
 * be exactly what MariaDB's my_print_defaults prints (same options, same order, same bytes),
 * and where my_print_defaults refuses a file (exit 2) readOptions() must throw at the same line.
 * my_print_defaults must be installed; CI installs it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { after, test } from 'node:test';
import {
  CLIENT_GROUPS,
  nodeFs,
  OptionFileError,
  type ResolvedOption,
  readOptions,
  serverGroups,
} from '../../src/optionfile/index.ts';

const MY_PRINT_DEFAULTS = 'my_print_defaults';
const SERVER_GROUPS = serverGroups('mariadb', '10.11.19');

const workDir = mkdtempSync(join(tmpdir(), 'dbcache-optionfile-'));
const home = join(workDir, 'home');
const corpusCopy = join(workDir, 'corpus');
after(() => rmSync(workDir, { recursive: true, force: true }));

/** Git and umask decide modes on checkout; the server cares (world-writable files are skipped). */
function copyWithModes(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  const fix = (dir: string) => {
    chmodSync(dir, 0o755);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) fix(path);
      else chmodSync(path, 0o644);
    }
  };
  fix(to);
}
copyWithModes(join(import.meta.dirname, 'corpus'), corpusCopy);
mkdirSync(home);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return filesUnder(path);
      return entry.name === '.gitattributes' ? [] : [path];
    })
    .sort();
}

interface Outcome {
  status: number;
  /** What my_print_defaults prints on success: one `--name[=value]` per line, as bytes. */
  output: Buffer;
  /** The line the refusal names, when there is one. */
  line: number | undefined;
}

function serverOutcome(file: string, groupArgs: readonly string[]): Outcome {
  const run = spawnSync(MY_PRINT_DEFAULTS, [`--defaults-file=./${basename(file)}`, ...groupArgs], {
    cwd: dirname(file),
    env: { PATH: process.env.PATH, HOME: home },
  });
  if (run.error)
    throw new Error(
      `${MY_PRINT_DEFAULTS} could not be run (install MariaDB's client tools): ${run.error.message}`,
    );
  // Included files may warn first; the refusal is the message just before "Fatal error".
  const messages = run.stderr.toString('latin1').trim().split('\n');
  const refusal = messages.at(messages.findIndex((message) => message.startsWith('Fatal error')) - 1) ?? '';
  const lineMatch = /at line:? (\d+)/.exec(refusal);
  const status = run.status ?? -1;
  const line = status === 2 && lineMatch ? Number(lineMatch[1]) : undefined;
  return { status, output: run.stdout, line };
}

function asPrinted(options: readonly ResolvedOption[]): Buffer {
  const lines = options.map(
    ({ source }) => `--${source.rawName}${source.value === null ? '' : `=${source.value}`}\n`,
  );
  return Buffer.from(lines.join(''), 'latin1');
}

function ourOutcome(file: string, groups: readonly string[]): Outcome {
  try {
    const { options } = readOptions({
      files: [{ path: `./${basename(file)}`, required: true }],
      groups,
      fs: nodeFs,
      cwd: dirname(file),
      platform: 'linux',
      home,
    });
    return { status: 0, output: asPrinted(options), line: undefined };
  } catch (err) {
    if (!(err instanceof OptionFileError)) throw err;
    return { status: 2, output: Buffer.alloc(0), line: err.line };
  }
}

function assertSameAsServer(file: string): void {
  const views: [readonly string[], readonly string[]][] = [
    [['--mysqld'], SERVER_GROUPS],
    [CLIENT_GROUPS, CLIENT_GROUPS],
  ];
  for (const [groupArgs, groups] of views) {
    const server = serverOutcome(file, groupArgs);
    const ours = ourOutcome(file, groups);
    const label = `${relative(workDir, file)} [${groupArgs.join(' ')}]`;
    assert.equal(ours.status, server.status, `${label}: exit status`);
    assert.equal(ours.output.toString('latin1'), server.output.toString('latin1'), `${label}: options`);
    if (server.line !== undefined) assert.equal(ours.line, server.line, `${label}: line of the refusal`);
  }
}

test('my_print_defaults is installed (the oracle for this file)', () => {
  const run = spawnSync(MY_PRINT_DEFAULTS, ['--help']);
  assert.equal(run.error, undefined, `${MY_PRINT_DEFAULTS} is missing; install MariaDB's client tools`);
  assert.equal(run.status, 0);
  assert.match(run.stdout.toString(), /--mysqld/);
});

test('serverGroups() for 10.11 are the groups my_print_defaults --mysqld reads', () => {
  const dir = join(workDir, 'groups');
  mkdirSync(dir);
  const candidates = [
    ...SERVER_GROUPS,
    'client',
    'mysqld-8.0',
    'mariadb-10.6',
    'embedded',
    'mysqld_safe',
    'mariadb-11',
  ];
  const file = join(dir, 'all.cnf');
  writeFileSync(file, candidates.map((group) => `[${group}]\nin_${group.replaceAll(/\W/g, '_')}\n`).join(''));
  const printed = serverOutcome(file, ['--mysqld']).output.toString().trim().split('\n');
  assert.deepEqual(
    printed,
    SERVER_GROUPS.map((group) => `--in_${group.replaceAll(/\W/g, '_')}`),
  );
});

for (const file of filesUnder(corpusCopy)) {
  test(`same options as my_print_defaults: ${relative(corpusCopy, file)}`, () => assertSameAsServer(file));
}

test('every refusal case is refused by both, at the same line', () => {
  // The server names no line for an unreadable !includedir directory; we name the directive's.
  const expectedLines: Record<string, number> = {
    'bom.cnf': 1,
    'bom-comment.cnf': 1,
    'option-before-group.cnf': 2,
    'broken-header.cnf': 3,
    'empty-include.cnf': 3,
    'one-char-include-at-eof.cnf': 3,
    'missing-includedir.cnf': 3,
    'includedir-at-eof.cnf': 2,
  };
  const refusals = filesUnder(join(corpusCopy, 'refuse')).filter((file) => dirname(file).endsWith('refuse'));
  assert.deepEqual(refusals.map((file) => basename(file)).sort(), Object.keys(expectedLines).sort());
  for (const file of refusals) {
    const name = basename(file);
    const server = serverOutcome(file, ['--mysqld']);
    assert.equal(server.status, 2, `${name}: my_print_defaults should refuse it`);
    const ours = ourOutcome(file, SERVER_GROUPS);
    assert.equal(ours.status, 2, `${name}: readOptions should throw OptionFileError`);
    assert.equal(ours.line, expectedLines[name], name);
    if (server.line !== undefined) assert.equal(ours.line, server.line, name);
  }
});

test('generated cases: world-writable files, deep nesting, long lines, ~/ includes', () => {
  const dir = join(workDir, 'generated');
  mkdirSync(join(dir, 'conf.d'), { recursive: true });
  const write = (name: string, content: string | Buffer, mode = 0o644) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    chmodSync(path, mode);
    return path;
  };

  write('conf.d/10-shared.cnf', '[mysqld]\nwait_timeout = 1\n', 0o666);
  write('conf.d/20-ok.cnf', '[mysqld]\nwait_timeout = 2\n');
  assertSameAsServer(write('ww-include.cnf', '[mysqld]\n!includedir conf.d\n'));
  assertSameAsServer(write('ww-top.cnf', '[mysqld]\nwait_timeout = 3\n', 0o666));

  for (let level = 0; level <= 12; level++) {
    write(
      `nest-${level}.cnf`,
      `[mysqld]\nlevel_${level} = 1\n!include nest-${level + 1}.cnf\n! frobnicate\n`,
    );
  }
  assertSameAsServer(join(dir, 'nest-0.cnf'));
  assertSameAsServer(write('self.cnf', '[mysqld]\nagain = 1\n!include self.cnf\n'));

  const long = (fill: number) => `[mysqld]\na=${'x'.repeat(fill)}wait_timeout=66\nb=1\n`;
  for (const fill of [4089, 4090, 4091, 4092, 4093, 5000, 9000])
    assertSameAsServer(write(`long-${fill}.cnf`, long(fill)));
  assertSameAsServer(
    write('long-include.cnf', `[mysqld]\n#${'y'.repeat(4083)}\n!include conf.d/20-ok.cnf\n`),
  );
  assertSameAsServer(write('long-crlf.cnf', `[mysqld]\r\na=${'z'.repeat(4090)}\r\nb=2\r\n`));

  writeFileSync(join(home, 'from-home.cnf'), '[mysqld]\nfrom_home = 1\n');
  assertSameAsServer(write('tilde.cnf', '[mysqld]\n!include ~/from-home.cnf\n'));
  assertSameAsServer(write('bare-bang.cnf', '[mysqld]\na=1\n!include'));
});
