/**
 * Every corpus case patched for real and checked with the server's own readers: what
 * my_print_defaults prints before and after differs only in the setting, the last occurrence
 * carries the new value, mariadbd validates it, every byte the edit did not need is unchanged,
 * and a second run finds nothing to do. Refused cases are left byte for byte as they were.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { MAX_TIMEOUT } from '../../src/duration.ts';
import { nodeFs, parseOptionFile } from '../../src/optionfile/index.ts';
import { unifiedDiff } from '../../src/patch/diff.ts';
import { type Action, PatchRefused, planPatch, type SettingRequest } from '../../src/patch/plan.ts';
import { writeChanges } from '../../src/patch/write.ts';
import { serverReader } from '../../src/serverfiles/reader.ts';
import {
  copyCase,
  mariadbdWaitTimeout,
  type OracleFlavor,
  otherOptions,
  printDefaults,
  printDefaultsStatus,
  printedValue,
  snapshot,
} from './oracle.ts';

const work = mkdtempSync(join(tmpdir(), 'dbcache-patch-corpus-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface Case {
  name: string;
  root?: string;
  flavor?: OracleFlavor;
  /** Also set interactive_timeout to 130. */
  interactive?: boolean;
  force?: boolean;
  /** The file that changes (relative to the case) and what happens to each setting. */
  edits: string;
  actions: Action[];
  /** Check the final value with mariadbd too (files it can read: no MySQL-only options). */
  mariadbd?: boolean;
}

const WAIT = 120;
const INTERACTIVE = 130;

const CASES: Case[] = [
  {
    name: 'debian-mariadb',
    root: 'mariadb.cnf',
    edits: 'mariadb.conf.d/50-server.cnf',
    actions: ['insert', 'insert'],
    interactive: true,
    mariadbd: true,
  },
  {
    name: 'debian-mariadb-versioned',
    root: 'mariadb.cnf',
    edits: 'mariadb.conf.d/50-server.cnf',
    actions: ['set'],
    mariadbd: true,
  },
  {
    name: 'debian-mariadb-versioned',
    root: 'mariadb.cnf',
    flavor: 'mysql',
    edits: 'mariadb.conf.d/50-server.cnf',
    actions: ['set'],
  },
  {
    name: 'ubuntu-mysql',
    flavor: 'mysql',
    edits: 'mysql.conf.d/mysqld.cnf',
    actions: ['insert', 'insert'],
    interactive: true,
  },
  { name: 'mysql-installer', root: 'my.ini', flavor: 'mysql', edits: 'my.ini', actions: ['insert'] },
  { name: 'homebrew-mysql', flavor: 'mysql', edits: 'my.cnf', actions: ['insert'] },
  {
    name: 'homebrew-mariadb',
    edits: 'my.cnf.d/server.cnf',
    actions: ['insert', 'insert'],
    interactive: true,
    mariadbd: true,
  },
  { name: 'docker-mariadb', edits: 'conf.d/pool.cnf', actions: ['set', 'insert'], interactive: true },
  // No [mysqld] anywhere: the server's own [mariadb] group gets the lines, not a new [mysqld].
  {
    name: 'docker-mariadb-image',
    edits: 'my.cnf',
    actions: ['insert', 'insert'],
    interactive: true,
    mariadbd: true,
  },
  { name: 'rpm-mariadb', edits: 'my.cnf.d/server.cnf', actions: ['insert'], mariadbd: true },
  { name: 'percona', flavor: 'mysql', edits: 'my.cnf', actions: ['insert'] },
  { name: 'duplicates', edits: 'my.cnf', actions: ['set', 'insert'], interactive: true, mariadbd: true },
  { name: 'dash-case', edits: 'my.cnf', actions: ['set', 'set'], interactive: true, mariadbd: true },
  { name: 'loose', edits: 'my.cnf', actions: ['set'], mariadbd: true },
  { name: 'trailing-comments', edits: 'my.cnf', actions: ['set', 'set'], interactive: true, mariadbd: true },
  { name: 'latin1-comments', edits: 'my.cnf', actions: ['set'], mariadbd: true },
  { name: 'quoted', edits: 'my.cnf', actions: ['set', 'set'], interactive: true, mariadbd: true },
  { name: 'no-final-newline', edits: 'my.cnf', actions: ['set'], mariadbd: true },
  {
    name: 'no-final-newline-insert',
    edits: 'my.cnf',
    actions: ['insert', 'insert'],
    interactive: true,
    mariadbd: true,
  },
  {
    name: 'empty',
    edits: 'my.cnf',
    actions: ['create-group', 'create-group'],
    interactive: true,
    mariadbd: true,
  },
  { name: 'comments-only', edits: 'my.cnf', actions: ['create-group'], mariadbd: true },
  { name: 'include-at-eof', edits: 'extra.cn', actions: ['set'], mariadbd: true },
  { name: 'version-groups', edits: 'my.cnf', actions: ['set'], mariadbd: true },
  { name: 'version-groups', flavor: 'mysql', edits: 'my.cnf', actions: ['set'] },
  { name: 'crlf-include', edits: 'server.cnf', actions: ['insert'], mariadbd: true },
  { name: 'refuse-client-file', root: '.my.cnf', force: true, edits: '.my.cnf', actions: ['create-group'] },
];

function plan(dir: string, root: string, flavor: OracleFlavor, settings: SettingRequest[], force = false) {
  return planPatch({
    source: {
      files: [{ path: join(dir, root), required: true }],
      fs: nodeFs,
      cwd: dir,
      platform: 'linux',
      home: join(dir, 'no-home'),
    },
    views: [serverReader(flavor, flavor === 'mariadb' ? '10.11' : '8.0')],
    settings,
    force,
    maxSeconds: MAX_TIMEOUT,
  });
}

/**
 * The diff of the edited file holds only lines of the settings (plus a `[mysqld]` header and a
 * blank line before it, or a newline added to a last line), and a changed line differs from the
 * old one only inside the value: name as spelled, spacing, quotes and trailing comment stay.
 */
function assertMinimalEdit(before: Buffer, afterBytes: Buffer, label: string): void {
  const diff = unifiedDiff(before.toString('latin1'), afterBytes.toString('latin1'), 'a', 'b').split('\n');
  const body = (sign: string) =>
    diff
      .filter((line) => line.startsWith(sign) && !line.startsWith(sign.repeat(3)))
      .map((line) => line.slice(1));
  const [removed, added] = [body('-'), body('+')];
  const setting = (text: string) => {
    const line = parseOptionFile(Buffer.from(`[x]\n${text}`, 'latin1'), 'x').lines[1];
    return line?.kind === 'option' && /^(wait|interactive)_timeout$/.test(line.name) ? line : null;
  };
  for (const text of removed) {
    const old = setting(text);
    if (old === null) {
      // Only a last line that gets a newline: the same bytes come back.
      assert.ok(
        added.includes(text),
        `${label}: removed a line that is not the setting: ${JSON.stringify(text)}`,
      );
      continue;
    }
    const span = old.valueSpan ?? { start: old.keySpan.end, end: old.keySpan.end };
    const twin = added.find((candidate) => {
      const edited = setting(candidate);
      return edited !== null && candidate.slice(0, span.start) === text.slice(0, span.start);
    });
    assert.ok(twin !== undefined, `${label}: ${JSON.stringify(text)} was replaced by something else`);
    const edited = setting(twin) as NonNullable<ReturnType<typeof setting>>;
    assert.equal(twin.slice(edited.valueSpan?.end), text.slice(span.end), `${label}: what follows the value`);
  }
  for (const text of added) {
    const allowed =
      setting(text) !== null || removed.includes(text) || /^\[mysqld\]\r?$/.test(text) || /^\r?$/.test(text);
    assert.ok(allowed, `${label}: added ${JSON.stringify(text)}`);
  }
}

for (const [position, entry] of CASES.entries()) {
  const root = entry.root ?? 'my.cnf';
  const flavor = entry.flavor ?? 'mariadb';
  test(`patch ${entry.name} as ${flavor}${entry.force ? ' (--force)' : ''}: only the setting changes, as the server reads it`, () => {
    const dir = copyCase(entry.name, mkdtempSync(join(work, `${position}-`)));
    const settings: SettingRequest[] = [{ name: 'wait_timeout', seconds: WAIT }];
    if (entry.interactive) settings.push({ name: 'interactive_timeout', seconds: INTERACTIVE });
    const printedBefore = printDefaults(dir, root, flavor);
    const filesBefore = snapshot(dir);

    const planned = plan(dir, root, flavor, settings, entry.force);
    assert.deepEqual(
      planned.settings.map((setting) => setting.action),
      entry.actions,
    );
    assert.deepEqual(
      planned.changes.map((change) => relative(dir, change.realPath)),
      [entry.edits],
    );
    const written = writeChanges(planned.changes, new Date('2025-01-02T03:04:05.678Z'));

    const printedAfter = printDefaults(dir, root, flavor);
    assert.deepEqual(otherOptions(printedAfter), otherOptions(printedBefore), 'no other option moved');
    assert.equal(printedValue(printedAfter, 'wait'), String(WAIT));
    if (entry.interactive) assert.equal(printedValue(printedAfter, 'interactive'), String(INTERACTIVE));
    else assert.equal(printedValue(printedAfter, 'interactive'), printedValue(printedBefore, 'interactive'));
    if (entry.mariadbd) assert.equal(mariadbdWaitTimeout(dir, root), String(WAIT));

    const filesAfter = snapshot(dir);
    const backup = relative(dir, written[0]?.backup ?? '');
    assert.equal(backup, `${entry.edits}.dbcache-20250102T030405Z.bak`);
    assert.deepEqual([...filesAfter.keys()].sort(), [...filesBefore.keys(), backup].sort());
    for (const [file, bytes] of filesBefore) {
      if (file !== entry.edits)
        assert.ok(bytes.equals(filesAfter.get(file) as Buffer), `${file} is untouched`);
    }
    assert.ok(
      filesAfter.get(backup)?.equals(filesBefore.get(entry.edits) as Buffer),
      'the backup holds the old bytes',
    );
    assertMinimalEdit(
      filesBefore.get(entry.edits) as Buffer,
      filesAfter.get(entry.edits) as Buffer,
      entry.name,
    );

    const again = plan(dir, root, flavor, settings, entry.force);
    assert.deepEqual(again.changes, [], 'a second run changes nothing');
    assert.ok(again.settings.every((setting) => setting.action === 'unchanged'));
  });
}

interface Refusal {
  name: string;
  root?: string;
  why: RegExp;
  kind: 'file' | 'usage';
  /** my_print_defaults refuses it too (exit 2). */
  serverRefuses?: boolean;
  flavors?: 'unknown';
}

const REFUSALS: Refusal[] = [
  { name: 'refuse-bom', why: /line 1: .*byte-order mark/, kind: 'file', serverRefuses: true },
  { name: 'refuse-nul', why: /line 2: .*NUL byte/, kind: 'file' },
  {
    name: 'refuse-option-before-group',
    why: /line 1: .*before any \[group\]/,
    kind: 'file',
    serverRefuses: true,
  },
  { name: 'refuse-broken-header', why: /line 1: .*no closing "\]"/, kind: 'file', serverRefuses: true },
  {
    name: 'refuse-client-file',
    root: '.my.cnf',
    why: /per-user client file \(only \[client\] \[mysql\]\).*--force/,
    kind: 'usage',
  },
  { name: 'refuse-alias', why: /line 3: "wait_tim" sets wait_timeout too/, kind: 'file' },
  { name: 'refuse-long-line', why: /line 3: the line is longer than 4094 bytes/, kind: 'file' },
  { name: 'refuse-final-include', why: /line 3 is an !include without a newline/, kind: 'file' },
  {
    name: 'version-groups',
    why: /\[mysqld-8\.0\], which only that server version reads.*--server-version/,
    kind: 'usage',
    flavors: 'unknown',
  },
];

for (const [position, entry] of REFUSALS.entries()) {
  const root = entry.root ?? 'my.cnf';
  test(`refuse ${entry.name}: says where and why, writes nothing`, () => {
    const dir = copyCase(entry.name, mkdtempSync(join(work, `refuse-${position}-`)));
    const before = snapshot(dir);
    if (entry.serverRefuses !== undefined)
      assert.equal(printDefaultsStatus(dir, root), 2, 'the server refuses it too');
    const views =
      entry.flavors === 'unknown'
        ? [serverReader('mariadb', null), serverReader('mysql', null)]
        : [serverReader('mariadb', '10.11')];
    assert.throws(
      () =>
        planPatch({
          source: {
            files: [{ path: join(dir, root), required: true }],
            fs: nodeFs,
            cwd: dir,
            platform: 'linux',
            home: dir,
          },
          views,
          settings: [{ name: 'wait_timeout', seconds: WAIT }],
          force: false,
          maxSeconds: MAX_TIMEOUT,
        }),
      (err: unknown) => {
        assert.ok(err instanceof PatchRefused);
        assert.match(err.message, entry.why);
        assert.match(err.message, /Nothing was written\.$/);
        assert.equal(err.kind, entry.kind);
        return true;
      },
    );
    assert.deepEqual(snapshot(dir), before);
  });
}
