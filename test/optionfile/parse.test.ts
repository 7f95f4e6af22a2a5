import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import {
  type OptionFileDoc,
  type OptionFileLine,
  type OptionLine,
  parseOptionFile,
  SERVER_LINE_LIMIT,
  serialize,
} from '../../src/optionfile/index.ts';

const corpus = join(import.meta.dirname, 'corpus');

function corpusFiles(dir = corpus): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? corpusFiles(path) : [path];
  });
}

const parse = (text: string | Buffer) => parseOptionFile(Buffer.from(text as string, 'latin1'), 'test.cnf');

function optionLines(doc: OptionFileDoc): OptionLine[] {
  return doc.lines.filter((line): line is OptionLine => line.kind === 'option');
}

function onlyOption(text: string): OptionLine {
  const [option, ...rest] = optionLines(parse(`[mysqld]\n${text}\n`));
  assert.ok(option, `no option parsed from ${JSON.stringify(text)}`);
  assert.equal(rest.length, 0);
  return option;
}

const slice = (line: OptionFileLine, span: { start: number; end: number } | null) =>
  span === null ? null : line.text.slice(span.start, span.end);

test('every corpus file serializes back to identical bytes', () => {
  const files = corpusFiles();
  assert.ok(files.length > 40, `corpus has only ${files.length} files`);
  for (const file of files) {
    const bytes = readFileSync(file);
    assert.ok(serialize(parseOptionFile(bytes, file)).equals(bytes), relative(corpus, file));
  }
});

test('arbitrary bytes survive a round trip, including over-long lines, NUL, CR and BOM', () => {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const alphabet = [
    '\n',
    '\r',
    '\r\n',
    '\0',
    '[',
    ']',
    '=',
    '#',
    ';',
    '!',
    '"',
    "'",
    '\\',
    ' ',
    '\t',
    'a',
    '\xa0',
    '\xff',
  ];
  for (let round = 0; round < 300; round++) {
    const length = Math.floor(random() * (round % 10 === 0 ? 9000 : 300));
    let text = round % 7 === 0 ? '\xef\xbb\xbf' : '';
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
    const bytes = Buffer.from(text, 'latin1');
    assert.ok(serialize(parseOptionFile(bytes, 'fuzz.cnf')).equals(bytes), `round ${round}`);
  }
});

test('an empty file has no lines and serializes to nothing', () => {
  const doc = parse('');
  assert.deepEqual(doc.lines, []);
  assert.deepEqual(doc.problems, []);
  assert.equal(serialize(doc).length, 0);
});

test('line endings are kept per line, and the dominant one is reported', () => {
  const doc = parse('[mysqld]\r\na=1\nb=2\r\nc=3');
  assert.deepEqual(
    doc.lines.map((line) => [line.text, line.eol]),
    [
      ['[mysqld]', '\r\n'],
      ['a=1', '\n'],
      ['b=2', '\r\n'],
      ['c=3', ''],
    ],
  );
  assert.equal(doc.lineEnding, '\r\n');
  assert.equal(parse('[a]\nx=1\n').lineEnding, '\n');
});

test('lines are classified like the server does', () => {
  const doc = parse(
    [
      '',
      '   ',
      '# comment',
      '  ; comment',
      '[mysqld]',
      '!include /etc/x.cnf',
      '!includedir /etc/conf.d/',
      '!INCLUDE /etc/y.cnf',
      '!frobnicate',
      'wait_timeout = 5',
      'skip-name-resolve',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    doc.lines.map((line) => line.kind),
    [
      'blank',
      'blank',
      'comment',
      'comment',
      'group',
      'directive',
      'directive',
      'directive',
      'directive',
      'option',
      'option',
    ],
  );
  const directives = doc.lines.filter((line) => line.kind === 'directive');
  assert.deepEqual(
    directives.map((line) => [line.directive, line.argument]),
    [
      ['include', '/etc/x.cnf'],
      ['includedir', '/etc/conf.d/'],
      ['unknown', null],
      ['unknown', null],
    ],
  );
  assert.deepEqual(doc.problems, []);
});

test('group headers: name up to the first ], trailing blanks trimmed, leading kept, rest ignored', () => {
  const groups = parse('[mysqld]\n[ mysqld ]\n[client] # x\n[mysqld]junk]\n[]\n\t[server]\t\r\n')
    .lines.filter((line) => line.kind === 'group')
    .map((line) => line.name);
  assert.deepEqual(groups, ['mysqld', ' mysqld', 'client', 'mysqld', '', 'server']);
});

test('each line knows the group in force', () => {
  const doc = parse('# top\n[client]\nuser=a\n\n[mysqld]\n# c\nport=1\n');
  assert.deepEqual(
    doc.lines.map((line) => line.group),
    [null, 'client', 'client', 'client', 'mysqld', 'mysqld', 'mysqld'],
  );
});

test('an option is split at the first = and trimmed; a flag has no value', () => {
  const option = onlyOption('  character-set-collations = utf8mb4=uca1400_ai_ci  ');
  assert.equal(option.rawName, 'character-set-collations');
  assert.equal(option.name, 'character_set_collations');
  assert.equal(option.value, 'utf8mb4=uca1400_ai_ci');
  assert.equal(slice(option, option.keySpan), 'character-set-collations');
  assert.equal(slice(option, option.valueSpan), 'utf8mb4=uca1400_ai_ci');

  const flag = onlyOption('skip-name-resolve   # why');
  assert.equal(flag.value, null);
  assert.equal(flag.valueSpan, null);
  assert.equal(flag.rawName, 'skip-name-resolve');
  assert.equal(slice(flag, flag.commentSpan), '# why');

  const empty = onlyOption('x =   ');
  assert.equal(empty.value, '');
  assert.deepEqual(empty.valueSpan, { start: 6, end: 6 });
});

test('trailing # comments: no space needed, not inside quotes; ; is not a comment mid-line', () => {
  assert.equal(onlyOption('datadir=/var/lib/my#sql').value, '/var/lib/my');
  assert.equal(onlyOption('wait_timeout = 600 ; x').value, '600 ; x');
  const quoted = onlyOption('init_connect="a # b" # c');
  assert.equal(quoted.value, 'a # b');
  assert.equal(quoted.quote, '"');
  assert.equal(slice(quoted, quoted.valueSpan), '"a # b"');
  assert.equal(slice(quoted, quoted.commentSpan), '# c');
  assert.equal(onlyOption('a="abc # def').value, '"abc # def');
  assert.equal(onlyOption(`a = "x\\" # y" # z`).value, 'x" # y');
});

test('quotes are removed only when they wrap the whole value', () => {
  assert.equal(onlyOption(`a = 'single'`).value, 'single');
  assert.equal(onlyOption('a = ""').value, '');
  assert.equal(onlyOption('a = "').value, '"');
  assert.equal(onlyOption(`a = "mixed'`).value, `"mixed'`);
  assert.equal(onlyOption('a = "x"y"').value, 'x"y');
  assert.equal(onlyOption('a = "  spaced  "').value, '  spaced  ');
});

test('escapes are processed in every value; unknown ones and a final backslash stay', () => {
  assert.equal(onlyOption('a=x\\sy\\tz\\\\w\\qv\\').value, 'x y\tz\\w\\qv\\');
  assert.equal(onlyOption('a="C:\\temp\\new"').value, 'C:\temp\new');
  assert.equal(onlyOption('a=C:\\ProgramData\\MySQL').value, 'C:\\ProgramData\\MySQL');
  assert.equal(onlyOption("a='it\\'s'").value, "it's");
  assert.equal(onlyOption('a=\\b\\r\\n\\"').value, '\b\r\n"');
});

test('server white space includes VT, FF, CR and latin1 NBSP (0xA0)', () => {
  const option = onlyOption('\xa0\x0b\x0cwait_timeout\xa0=\xa0\t7\x0c\r');
  assert.equal(option.rawName, 'wait_timeout');
  assert.equal(option.value, '7');
});

test('names are normalized and loose- is reported separately', () => {
  const option = onlyOption('Loose-Wait-Timeout = 5');
  assert.equal(option.name, 'wait_timeout');
  assert.equal(option.loose, true);
  assert.equal(option.rawName, 'Loose-Wait-Timeout');
  assert.equal(onlyOption('maximum-wait_timeout=9').name, 'maximum_wait_timeout');
});

test('non-UTF-8 bytes in comments and values are kept as bytes', () => {
  const bytes = Buffer.from('[mysqld]\nx = caf\xe9 # \xff\xfe comment\n', 'latin1');
  const doc = parseOptionFile(bytes, 'latin1.cnf');
  const [option] = optionLines(doc);
  assert.equal(option?.value, 'caf\xe9');
  assert.ok(serialize(doc).equals(bytes));
});

test('!include and !includedir: keyword case-sensitive, needs white space, argument trimmed', () => {
  const args = parse(
    '! include   a.cnf  \r\n!include\tb.cnf\n!includedir c/\n!include\n!includex y\n!include',
  )
    .lines.filter((line) => line.kind === 'directive')
    .map((line) => [line.directive, line.argument]);
  assert.deepEqual(args, [
    ['include', 'a.cnf'],
    ['include', 'b.cnf'],
    ['includedir', 'c/'],
    // The newline counts as the white space after the keyword: an empty (fatal) include.
    ['include', null],
    ['unknown', null],
    // At end of file nothing follows the keyword, so the line is ignored.
    ['unknown', null],
  ]);
});

test('a final !include without newline loses its last character, as in the server', () => {
  const doc = parse('[mysqld]\n!include /etc/mysql/override.cnf');
  const directive = doc.lines[1];
  assert.equal(directive?.kind === 'directive' && directive.argument, '/etc/mysql/override.cn');
  assert.deepEqual(
    doc.problems.map((problem) => [problem.code, problem.line, problem.fatal]),
    [['truncated-directive', 2, false]],
  );
  const slash = parse('!includedir /etc/mysql/conf.d/').lines[0];
  assert.equal(slash?.kind === 'directive' && slash.argument, '/etc/mysql/conf.d');
  const padded = parse('!include /x.cnf  ').lines[0];
  assert.equal(padded?.kind === 'directive' && padded.argument, '/x.cnf');
  assert.deepEqual(parse('!include /x.cnf  ').problems, []);
});

test('an empty !include argument is fatal, also when only one character is left at EOF', () => {
  for (const text of ['!include   \n', '!includedir\t\n', '[a]\n!include x']) {
    const problem = parse(text).problems.find((each) => each.fatal);
    assert.equal(problem?.code, 'empty-directive', JSON.stringify(text));
    assert.match(problem.reason, /Wrong '!include(dir)?' directive/);
  }
});

test('refusals are problems, not exceptions', () => {
  const cases: [string, string, number][] = [
    ['\xef\xbb\xbf[mysqld]\nx=1\n', 'byte-order-mark', 1],
    ['# c\nx=1\n[mysqld]\n', 'option-before-group', 2],
    ['[mysqld]\nx=1\n[mysqld\ny=2\n', 'malformed-group', 3],
  ];
  for (const [text, code, line] of cases) {
    const doc = parse(text);
    assert.deepEqual(
      doc.problems.map((problem) => [problem.code, problem.line, problem.fatal]),
      [[code, line, true]],
    );
  }
});

test('a BOM is kept in the text, and the rest of the line is still parsed for editing', () => {
  const doc = parse('\xef\xbb\xbf[mysqld]\nx=1\n');
  assert.equal(doc.byteOrderMark, true);
  const header = doc.lines[0];
  assert.equal(header?.kind === 'group' && header.name, 'mysqld');
  assert.equal(header?.text, '\xef\xbb\xbf[mysqld]');
  assert.equal(doc.lines[1]?.group, 'mysqld');
});

test('a NUL byte ends the line for the server', () => {
  const doc = parse('[mysqld]\na=1\0junk\n\0b=2\n!include x.cnf\0zz\n');
  assert.deepEqual(
    doc.lines.map((line) => line.kind),
    ['group', 'option', 'blank', 'directive'],
  );
  const option = doc.lines[1];
  assert.equal(option?.kind === 'option' && option.value, '1');
  const directive = doc.lines[3];
  assert.equal(directive?.kind === 'directive' && directive.argument, 'x.cn');
  assert.deepEqual(
    doc.problems.filter((problem) => problem.code === 'nul-byte').map((problem) => problem.line),
    [2, 3, 4],
  );
});

test('a line longer than 4094 bytes is read in pieces, like fgets() in the server', () => {
  const text = `[mysqld]\na=${'x'.repeat(4090)}wait_timeout=66\nb=2\n`;
  const doc = parse(text);
  const options = optionLines(doc);
  assert.deepEqual(
    options.map((option) => [option.rawName, option.value?.length, option.number]),
    [
      ['a', 4092, 2],
      ['it_timeout', 2, 2],
      ['b', 1, 3],
    ],
  );
  assert.equal(doc.lines[1]?.eol, '');
  assert.equal(doc.lines[1]?.text.length, SERVER_LINE_LIMIT);
  assert.deepEqual(
    doc.problems.map((problem) => [problem.code, problem.line]),
    [['long-line', 2]],
  );
  assert.equal(serialize(doc).toString('latin1'), text);
});

test('old Mac line endings are one line to the server', () => {
  const doc = parse('[mysqld]\rwait_timeout=5\r');
  assert.equal(doc.lines.length, 1);
  assert.equal(doc.lines[0]?.kind, 'group');
  assert.deepEqual(
    doc.problems.map((problem) => problem.code),
    ['bare-carriage-return'],
  );
});

test('old Mac line endings with indented lines, or blanks after the CR, are one line too', () => {
  for (const text of [
    '[mysqld]\r  max_connections=100\r  wait_timeout=300\r',
    '[mysqld]\r\twait_timeout=300\r',
    '[mysqld]\r\xa0\r\x0bwait_timeout=300\r\n',
  ]) {
    assert.deepEqual(
      parse(text).problems.map((problem) => problem.code),
      ['bare-carriage-return'],
      JSON.stringify(text),
    );
  }
  // A CR with nothing but blanks after it is trailing white space, which the server trims.
  for (const text of ['[mysqld]\r\nwait_timeout=300 \r \r\n', '[mysqld]\r\r\n', '[mysqld]\r  \n']) {
    assert.deepEqual(parse(text).problems, [], JSON.stringify(text));
  }
});

test('CRLF: spans never include the carriage return', () => {
  const option = optionLines(parse('[mysqld]\r\nwait_timeout = 600\r\n'))[0];
  assert.equal(option?.text, 'wait_timeout = 600');
  assert.equal(option && slice(option, option.valueSpan), '600');
  const empty = optionLines(parse('[mysqld]\r\nx =\r\n'))[0];
  assert.deepEqual(empty?.valueSpan, { start: 3, end: 3 });
});

test('replacing the value span is all an editor needs to change one value', () => {
  const bytes = Buffer.from('[mysqld]\n  Wait-Timeout\t=  "600"   # keep me\r\nport=1', 'latin1');
  const doc = parseOptionFile(bytes, 'x.cnf');
  const option = optionLines(doc)[0];
  assert.ok(option?.valueSpan);
  const { start, end } = option.valueSpan;
  option.text = `${option.text.slice(0, start)}"120"${option.text.slice(end)}`;
  assert.equal(serialize(doc).toString('latin1'), '[mysqld]\n  Wait-Timeout\t=  "120"   # keep me\r\nport=1');
});
