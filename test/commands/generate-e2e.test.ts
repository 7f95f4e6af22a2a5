/**
 * The generated code, run for real against the throwaway server with wait_timeout set to 10 s:
 * pools reuse one connection for back-to-back queries, and still answer after sleeping past the
 * timeout. Each run has a control (the same connection without dbcache's settings) that fails,
 * which shows the check can tell the difference. Django and SQLAlchemy run on Debian's
 * /usr/bin/python3 with python3-django, python3-sqlalchemy and python3-mysqldb (.ci/run installs
 * them); without them these tests fail, they do not skip.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Connection } from 'mysql2/promise';
import { runGenerate } from '../../src/commands/generate/index.ts';
import { memoryIO } from '../helpers/io.ts';
import { sharedServer, type TestServer } from '../helpers/server.ts';
import { adminConnection, tcpTarget } from '../helpers/target.ts';

const WAIT_TIMEOUT = 10;
/**
 * Past the server's timeout with 4 s to spare: the three runs sleep at once on what may be a
 * loaded two-core machine, and each control must see its idle connection closed by the server.
 */
const SLEEP_SECONDS = WAIT_TIMEOUT + 4;
const PYTHON = '/usr/bin/python3';

let server: TestServer;
let admin: Connection;
let dir: string;
const runs = new Map<string, Promise<Record<string, unknown>>>();

async function generated(target: string): Promise<string> {
  const { io, captured } = memoryIO();
  const code = await runGenerate(
    { target, list: false, json: false, passwordEnv: 'DB_PASSWORD', force: false },
    io,
    () => tcpTarget(server, io),
  );
  assert.equal(code, 0, captured.stderr);
  return captured.stdout;
}

function python(script: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      ['-c', script],
      { env: { PATH: process.env.PATH, DB_PASSWORD: server.password }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(
              `${PYTHON} failed (are python3-django, python3-sqlalchemy and python3-mysqldb installed? .ci/run installs them):\n${stderr}`,
            ),
          );
        else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>);
      },
    );
  });
}

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function mysql2Run(): Promise<Record<string, unknown>> {
  const file = join(dir, 'db.mjs');
  await writeFile(file, await generated('mysql2'));
  const { pool } = (await import(pathToFileURL(file).href)) as { pool: import('mysql2/promise').Pool };
  // A pool with mysql2's defaults on the same server: the control.
  const mysql = await import('mysql2/promise');
  const control = mysql.createPool({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
  });
  // A connection the server closes while it sits in the pool reports an error event; one the
  // pool retires itself does not.
  const closedByServer = { generated: 0, control: 0 };
  const watch = (which: keyof typeof closedByServer, candidate: import('mysql2/promise').Pool) =>
    candidate.pool.on('connection', (connection) => connection.on('error', () => closedByServer[which]++));
  watch('generated', pool);
  watch('control', control);
  const id = async (which: import('mysql2/promise').Pool) =>
    ((await which.query('SELECT CONNECTION_ID() AS id')) as unknown as [[{ id: number }]])[0][0].id;
  try {
    const first = [await id(pool), await id(pool), await id(control)];
    await sleep(SLEEP_SECONDS);
    const later = await id(pool);
    const controlLater = await id(control);
    return { first: first[0], second: first[1], later, closedByServer, controlFirst: first[2], controlLater };
  } finally {
    await pool.end();
    await control.end();
  }
}

async function djangoRun(): Promise<Record<string, unknown>> {
  const file = join(dir, 'settings_database.py');
  await writeFile(file, await generated('django'));
  return python(`
import copy, json, time
namespace = {}
exec(open(${JSON.stringify(file)}).read(), namespace)
databases = namespace["DATABASES"]
# The control: the same server, kept forever (CONN_MAX_AGE None), the trap the settings avoid.
databases["control"] = dict(copy.deepcopy(databases["default"]), CONN_MAX_AGE=None)
import django
from django.conf import settings
settings.configure(DATABASES=databases, USE_TZ=True)
django.setup()
from django.core.signals import request_finished, request_started
from django.db import connections, OperationalError

def connection_id(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT CONNECTION_ID()")
        return cursor.fetchone()[0]

def request(alias):
    # What Django does around every request: close_old_connections() at start and end.
    request_started.send(sender=None)
    try:
        return connection_id(alias)
    finally:
        request_finished.send(sender=None)

first, second = request("default"), request("default")
connection_id("control")
time.sleep(${SLEEP_SECONDS})
try:
    connection_id("control")
    control_error = None
except OperationalError as error:
    control_error = error.args[0]
later = request("default")
print(json.dumps({"first": first, "second": second, "later": later, "control_error": control_error,
                  "conn_max_age": databases["default"]["CONN_MAX_AGE"], "django": django.get_version()}))
`);
}

async function sqlalchemyRun(): Promise<Record<string, unknown>> {
  const file = join(dir, 'db.py');
  await writeFile(file, await generated('sqlalchemy'));
  return python(`
import json, time
namespace = {}
exec(open(${JSON.stringify(file)}).read(), namespace)
engine = namespace["engine"]
import sqlalchemy
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError
control = create_engine(namespace["url"])  # the control: the same URL with SQLAlchemy's pool defaults

def connection_id(which):
    with which.connect() as connection:
        return connection.exec_driver_sql("SELECT CONNECTION_ID()").scalar()

first, second = connection_id(engine), connection_id(engine)
connection_id(control)
time.sleep(${SLEEP_SECONDS})
try:
    connection_id(control)
    control_error = None
except OperationalError as error:
    control_error = error.orig.args[0]
later = connection_id(engine)
print(json.dumps({"first": first, "second": second, "later": later, "control_error": control_error,
                  "recycle": engine.pool._recycle, "sqlalchemy": sqlalchemy.__version__}))
`);
}

before(async () => {
  server = await sharedServer();
  admin = await adminConnection(server);
  await admin.query(`SET GLOBAL wait_timeout = ${WAIT_TIMEOUT}`);
  dir = await mkdtemp(join(tmpdir(), 'dbcache-generate-e2e-'));
  // The generated ES module imports 'mysql2/promise' the way an application does.
  await symlink(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(dir, 'node_modules'));
  // The three runs sleep past the timeout at the same time.
  runs.set('mysql2', mysql2Run());
  runs.set('django', djangoRun());
  runs.set('sqlalchemy', sqlalchemyRun());
  for (const run of runs.values()) run.catch(() => undefined);
});

after(async () => {
  await Promise.allSettled(runs.values());
  await admin.query('SET GLOBAL wait_timeout = DEFAULT');
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

test('mysql2: one connection for back-to-back queries; retired by the pool before the server closes it', async () => {
  const result = (await runs.get('mysql2')) as {
    first: number;
    second: number;
    later: number;
    closedByServer: { generated: number; control: number };
    controlFirst: number;
    controlLater: number;
  };
  assert.equal(result.first, result.second, 'back-to-back queries reuse the pooled connection');
  assert.notEqual(result.later, result.first, 'after the sleep the pool answers on a new connection');
  assert.equal(
    result.closedByServer.generated,
    0,
    'the idle timeout closed the connection before wait_timeout did',
  );
  assert.equal(
    result.closedByServer.control,
    1,
    'control: with the defaults the server closed the idle connection under the pool',
  );
  assert.notEqual(result.controlLater, result.controlFirst);
});

test('Django: CONN_MAX_AGE keeps one connection across requests and replaces it after the timeout', async () => {
  const result = await runs.get('django');
  assert.ok(result);
  assert.equal(result.conn_max_age, WAIT_TIMEOUT - 2, 'CONN_MAX_AGE = wait_timeout less the 2 s margin');
  assert.equal(result.first, result.second, 'the second request reuses the connection');
  assert.notEqual(
    result.later,
    result.first,
    'the request after the sleep got a fresh connection, and its query succeeded',
  );
  assert.ok(
    [2006, 2013, 4031].includes(result.control_error as number),
    `control: a kept connection fails after the timeout (${result.control_error})`,
  );
});

test('SQLAlchemy: pool_recycle and pool_pre_ping keep queries working past the timeout', async () => {
  const result = await runs.get('sqlalchemy');
  assert.ok(result);
  assert.equal(result.recycle, WAIT_TIMEOUT - 2);
  assert.equal(result.first, result.second, 'the pool reuses one connection');
  assert.notEqual(result.later, result.first, 'after the sleep the engine answers on a new connection');
  assert.ok(
    [2006, 2013, 4031].includes(result.control_error as number),
    `control: the default pool hands out a dead connection (${result.control_error})`,
  );
});
