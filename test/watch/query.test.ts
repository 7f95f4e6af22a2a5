import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identifyServer } from '../../src/server/identity.ts';
import { chooseSource, likePattern, processlistStatement } from '../../src/watch/query.ts';

test('MySQL 8.0.22+ with performance_schema on reads performance_schema.processlist; everything else information_schema', () => {
  const mysql = (version: string) =>
    identifyServer({ version, version_comment: 'MySQL Community Server - GPL' });
  assert.equal(chooseSource(mysql('8.0.22'), 'ON'), 'performance_schema.processlist');
  assert.equal(chooseSource(mysql('8.4.3'), 'ON'), 'performance_schema.processlist');
  assert.equal(chooseSource(mysql('9.1.0'), 'ON'), 'performance_schema.processlist');
  assert.equal(chooseSource(mysql('8.0.21'), 'ON'), 'information_schema.PROCESSLIST');
  assert.equal(chooseSource(mysql('8.0.35'), 'OFF'), 'information_schema.PROCESSLIST');
  assert.equal(chooseSource(mysql('5.7.44'), 'ON'), 'information_schema.PROCESSLIST');
  const mariadb = identifyServer({
    version: '11.4.2-MariaDB',
    version_comment: 'mariadb.org binary distribution',
  });
  assert.equal(chooseSource(mariadb, 'ON'), 'information_schema.PROCESSLIST');
});

test('without filters the query still leaves out the watcher and background threads', () => {
  const { sql, params } = processlistStatement('information_schema.PROCESSLIST', {
    user: [],
    db: [],
    host: [],
  });
  assert.match(
    sql,
    /FROM information_schema\.PROCESSLIST WHERE ID <> CONNECTION_ID\(\) AND COMMAND <> 'Daemon'/,
  );
  assert.deepEqual(params, []);
});

test('filters become placeholders: OR within a kind, AND across kinds; hosts match with or without the port', () => {
  const { sql, params } = processlistStatement('performance_schema.processlist', {
    user: ['app', 'web_1'],
    db: ['shop'],
    host: ['10.0.%'],
  });
  assert.match(sql, /FROM performance_schema\.processlist/);
  assert.match(
    sql,
    /\(USER LIKE \? ESCAPE '!' OR USER LIKE \? ESCAPE '!'\) AND \(DB LIKE \? ESCAPE '!'\) AND \(HOST LIKE \? ESCAPE '!' OR HOST LIKE \? ESCAPE '!'\)/,
  );
  assert.deepEqual(params, ['app', 'web!_1', 'shop', '10.0.%', '10.0.%:%']);
  assert.doesNotMatch(sql, /app|shop/, 'values never enter the SQL text');
});

test('% stays a wildcard; _ and the escape character match literally', () => {
  assert.equal(likePattern('app_%'), 'app!_%');
  assert.equal(likePattern('a!b'), 'a!!b');
});
