import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  formatOptionValue,
  insertOptionLine,
  type OptionFileDoc,
  parseOptionFile,
  serialize,
  setOptionValue,
} from '../../src/optionfile/index.ts';

const TRICKY_VALUES = [
  '120',
  '',
  'a # b',
  '  spaced  ',
  `q"uo'te`,
  'C:\\temp\\new\\',
  'tab\there\nnewline',
  'ünïcödé à',
  '600 ; x',
  '"already quoted"',
];

const parse = (text: string) => parseOptionFile(Buffer.from(text, 'latin1'), 'x.cnf');
const text = (doc: OptionFileDoc) => serialize(doc).toString('latin1');

const workDir = mkdtempSync(join(tmpdir(), 'dbcache-optionfile-edit-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

/** What my_print_defaults reads from `content` for one group. */
function serverReads(content: Buffer, group: string): string[] {
  const file = join(workDir, 'edited.cnf');
  writeFileSync(file, content, { mode: 0o644 });
  const run = spawnSync('my_print_defaults', [`--defaults-file=${file}`, group], {
    env: { PATH: process.env.PATH },
  });
  assert.equal(run.error, undefined, 'my_print_defaults is missing; install MariaDB client tools');
  assert.equal(run.status, 0, run.stderr.toString());
  // Values may hold newlines: split only where the next option starts.
  return run.stdout
    .toString('utf8')
    .replace(/\n$/, '')
    .split(/\n(?=--)/)
    .filter(Boolean);
}

test('a changed value keeps the name, spacing, quotes, trailing comment and line ending', () => {
  const doc = parse('[mysqld]\r\n  Wait-Timeout\t=  "600"   # keep me\r\nport=1');
  const index = doc.lines.findIndex((line) => line.kind === 'option' && line.name === 'wait_timeout');
  assert.equal(
    text(setOptionValue(doc, index, '120')),
    '[mysqld]\r\n  Wait-Timeout\t=  "120"   # keep me\r\nport=1',
  );
  assert.equal(
    text(setOptionValue(parse('[a]\nx = 600 # ten minutes\n'), 1, '120')),
    '[a]\nx = 120 # ten minutes\n',
  );
  assert.equal(text(setOptionValue(parse('[a]\nx =# c\n'), 1, '5')), '[a]\nx =5# c\n');
  assert.equal(
    text(setOptionValue(parse('[a]\nskip-name-resolve # c\n'), 1, 'ON')),
    '[a]\nskip-name-resolve=ON # c\n',
  );
  assert.equal(text(setOptionValue(parse("[a]\nx = 'old'\n"), 1, "it's")), "[a]\nx = 'it\\'s'\n");
});

test('values the server would strip or misread are quoted and escaped', () => {
  assert.equal(formatOptionValue('600'), '600');
  assert.equal(formatOptionValue('a # b'), '"a # b"');
  assert.equal(formatOptionValue(' x'), '" x"');
  assert.equal(formatOptionValue('C:\\temp\\new'), 'C:\\\\temp\\\\new');
  assert.equal(formatOptionValue('say "hi"'), '"say \\"hi\\""');
  // "à" is C3 A0 in UTF-8, and the server trims 0xA0 as white space.
  assert.equal(formatOptionValue('à'), '"\xc3\xa0"');
  assert.throws(() => formatOptionValue('a\0b'), /NUL/);
});

test('every option line of the corpus can take any value and nothing else changes', () => {
  const corpus = join(import.meta.dirname, 'corpus');
  const files = readdirSync(corpus, { recursive: true, withFileTypes: true }).filter((entry) =>
    entry.isFile(),
  );
  let edits = 0;
  for (const entry of files) {
    const doc = parseOptionFile(readFileSync(join(entry.parentPath, entry.name)), entry.name);
    doc.lines.forEach((line, index) => {
      if (line.kind !== 'option' || line.group === null || line.rawName === '') return;
      for (const value of TRICKY_VALUES) {
        const edited = setOptionValue(doc, index, value);
        edits++;
        assert.equal(edited.lines.length, doc.lines.length);
        edited.lines.forEach((other, at) => {
          if (at !== index)
            assert.equal(other.text + other.eol, doc.lines[at]?.text + (doc.lines[at]?.eol ?? ''));
        });
      }
    });
  }
  assert.ok(edits > 1000, `only ${edits} edits`);
});

test('my_print_defaults reads back each edited value exactly', () => {
  const doc = parse('[mysqld]\nwait_timeout = 600 # why\ninit_connect = "SET NAMES utf8" # c\nflag\n');
  for (const value of TRICKY_VALUES) {
    for (const [index, name] of [
      [1, 'wait_timeout'],
      [2, 'init_connect'],
      [3, 'flag'],
    ] as const) {
      const edited = serialize(setOptionValue(doc, index, value));
      assert.ok(
        serverReads(edited, 'mysqld').includes(`--${name}=${value}`),
        `${name}=${JSON.stringify(value)}`,
      );
    }
  }
});

test('an inserted line follows the layout of its neighbour and the file’s line ending', () => {
  const aligned = parse(
    '[mysqld]\nbasedir                 = /usr\nbind-address            = 127.0.0.1\n[embedded]\n',
  );
  assert.equal(
    text(insertOptionLine(aligned, 2, 'wait_timeout', '600')),
    '[mysqld]\nbasedir                 = /usr\nbind-address            = 127.0.0.1\nwait_timeout            = 600\n[embedded]\n',
  );
  const tabbed = parse('[mysqld]\r\nuser\t\t= mysql\r\n');
  assert.equal(
    text(insertOptionLine(tabbed, 1, 'wait_timeout', '600')),
    '[mysqld]\r\nuser\t\t= mysql\r\nwait_timeout\t\t= 600\r\n',
  );
  const tight = parse('[mysqld]\nport=3306\n');
  assert.equal(
    text(insertOptionLine(tight, 1, 'wait_timeout', '600')),
    '[mysqld]\nport=3306\nwait_timeout=600\n',
  );
  const bare = parse('[mysqld]\n');
  assert.equal(
    text(insertOptionLine(bare, 0, 'wait_timeout', 'a # b')),
    '[mysqld]\nwait_timeout = "a # b"\n',
  );
});

test('inserting after a last line without newline keeps the file without a final newline', () => {
  const doc = parse('[mysqld]\nport = 1');
  const edited = insertOptionLine(doc, 1, 'wait_timeout', '60');
  assert.equal(text(edited), '[mysqld]\nport = 1\nwait_timeout = 60');
  assert.deepEqual(serverReads(serialize(edited), 'mysqld'), ['--port=1', '--wait_timeout=60']);
});

test('inserting refuses what would change what the server reads', () => {
  assert.throws(
    () => insertOptionLine(parse('[mysqld]\n!include x.cnf'), 1, 'a', '1'),
    /directive without a newline/,
  );
  assert.throws(() => insertOptionLine(parse('# top\n[mysqld]\n'), 0, 'a', '1'), /would not give/);
  assert.throws(() => insertOptionLine(parse('[mysqld]\n'), 0, 'wait timeout', '1'), /not an option name/);
  assert.throws(() => insertOptionLine(parse('[mysqld]\n'), 5, 'a', '1'), RangeError);
  assert.throws(() => setOptionValue(parse('[mysqld]\n# x\n'), 1, '1'), /not an option/);
});
