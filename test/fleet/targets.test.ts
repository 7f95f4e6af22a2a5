import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTargetsText, redactUrl } from '../../src/fleet/targets.ts';

test('a targets file: URLs, host[:port], [v6]:port, bare v6, sockets, comments and blank lines', () => {
  const { targets, problems } = parseTargetsText(
    [
      '# primaries',
      'db-1',
      'db-2:3307   # the second',
      '',
      '[::1]:3308',
      '::1',
      '/run/mysqld/mysqld.sock',
      'mysql://app:s3cret@db-3:3309/shop?ssl-mode=REQUIRED',
      '  mariadb://db-4  ',
    ].join('\n'),
    'fleet.txt',
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(
    targets.map((target) => [target.name, target.origin, target.layer.settings]),
    [
      ['db-1', 'fleet.txt line 2', { host: 'db-1' }],
      ['db-2:3307', 'fleet.txt line 3', { host: 'db-2', port: 3307 }],
      ['[::1]:3308', 'fleet.txt line 5', { host: '::1', port: 3308 }],
      ['::1', 'fleet.txt line 6', { host: '::1' }],
      [
        '/run/mysqld/mysqld.sock',
        'fleet.txt line 7',
        { socket: '/run/mysqld/mysqld.sock', protocol: 'SOCKET' },
      ],
      [
        'mysql://app:***@db-3:3309/shop?ssl-mode=REQUIRED',
        'fleet.txt line 8',
        { host: 'db-3', port: 3309, user: 'app', password: 's3cret', database: 'shop', sslMode: 'REQUIRED' },
      ],
      ['mariadb://db-4', 'fleet.txt line 9', { host: 'db-4' }],
    ],
  );
});

test('every bad line is reported with its file and line, and no password is repeated', () => {
  const { targets, problems } = parseTargetsText(
    ['db-1:99999', 'postgres://u:pw@db', 'db 2', 'mysql://u:hunter2@db-5/?bogus=1', 'db-6:', 'ok-host'].join(
      '\n',
    ),
    'f',
  );
  assert.deepEqual(
    targets.map((target) => target.name),
    ['ok-host'],
  );
  assert.deepEqual(
    problems.map((problem) => problem.origin),
    ['f line 1', 'f line 2', 'f line 3', 'f line 4', 'f line 5'],
  );
  assert.match(problems[0]?.message ?? '', /not a number from 1 to 65535/);
  assert.match(problems[1]?.message ?? '', /not a mysql:\/\/ or mariadb:\/\/ URL/);
  assert.match(problems[2]?.message ?? '', /white space/);
  assert.match(problems[3]?.message ?? '', /bogus/);
  for (const problem of problems) assert.doesNotMatch(problem.message, /hunter2|:pw@/);
});

test('a password the URL rules cannot delimit is not repeated either (white space, @, / and # in it)', () => {
  const { problems } = parseTargetsText('mysql://adv:p@ss:w/rd#?%& x@127.0.0.1:33300', 'f');
  assert.equal(problems.length, 1);
  assert.equal(
    problems[0]?.message,
    '"mysql://adv:***@127.0.0.1:33300" has white space inside; give one server a line.',
  );
});

test('a bad URL line does not repeat a password with a / in it, whatever is wrong with the line', () => {
  const { problems } = parseTargetsText('http://adv:pa/ss@h\nmysql://adv:pa/ss@h\nmysql://adv:pa/ss@', 'f');
  assert.equal(problems.length, 3);
  for (const problem of problems) assert.doesNotMatch(problem.message, /pa\/ss|ss@/, problem.message);
  assert.equal(problems[0]?.message, '"http://adv:***@h" is not a mysql:// or mariadb:// URL.');
});

test('a host name longer than 253 characters is a bad line, quoted only in part', () => {
  const { targets, problems } = parseTargetsText(`${'a'.repeat(300)}:3306\n${'b'.repeat(253)}`, 'f');
  assert.equal(targets.length, 1, 'a 253-character name is a name');
  assert.equal(problems[0]?.origin, 'f line 1');
  assert.equal(
    problems[0]?.message,
    `"${'a'.repeat(40)}…" names a host of 300 characters; a host name has at most 253.`,
  );
});

test('redactUrl hides the password only', () => {
  assert.equal(redactUrl('mysql://u:p@h:1/d'), 'mysql://u:***@h:1/d');
  assert.equal(redactUrl('mysql://u@h'), 'mysql://u@h');
  assert.equal(redactUrl('mysql://h:3306'), 'mysql://h:3306');
});
