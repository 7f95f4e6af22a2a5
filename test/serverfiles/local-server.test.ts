/**
 * The one "local server and its files" service that patch-config and check-timeout's drift
 * share: it locates the server's process and machine, asks where its settings came from only
 * when it is this machine's, and runs the installed server program at most once.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Connection } from 'mysql2/promise';
import { IDENTITY_VARIABLES, identifyServer } from '../../src/server/identity.ts';
import { readVariables } from '../../src/server/variables.ts';
import { readLocalServer, serverProgramOnce } from '../../src/serverfiles/local-server.ts';
import { sharedServer } from '../helpers/server.ts';
import { adminConnection } from '../helpers/target.ts';

const work = mkdtempSync(join(tmpdir(), 'dbcache-local-server-'));
let admin: Connection;
before(async () => {
  admin = await adminConnection(await sharedServer());
});
after(async () => {
  await admin?.end();
  rmSync(work, { recursive: true, force: true });
});

test("a server with this machine's host name is here: its process is found and it is asked for its files", async () => {
  const identity = identifyServer(await readVariables(admin, 'GLOBAL', IDENTITY_VARIABLES));
  const here = await readLocalServer(admin, identity, { hostname: hostname() });
  assert.equal(here.elsewhere, null);
  assert.ok(
    here.startup !== null &&
      /(mysqld|mariadbd)$/.test(
        readFileSync(`/proc/${here.startup.pid}/cmdline`, 'utf8').split('\0')[0] ?? '',
      ),
  );
  assert.notEqual(here.configFiles, null, 'asked where its settings came from');
  assert.equal(here.configFiles?.hiddenBy, null, 'root has FILE');
});

test('a server with another host name is elsewhere, and is asked nothing more', async () => {
  const identity = identifyServer(await readVariables(admin, 'GLOBAL', IDENTITY_VARIABLES));
  const there = await readLocalServer(admin, identity, { hostname: 'not-this-machine' });
  assert.match(there.elsewhere ?? '', /host name is .* and this machine's is not-this-machine/);
  assert.equal(there.configFiles, null);
  // The caller's own readings of pid_file, hostname and the config files are used as given (no statement of their own).
  const configFiles = { files: ['/etc/given.cnf'], hiddenBy: null };
  const given = await readLocalServer(
    admin,
    identity,
    { hostname: 'box' },
    { variables: { pid_file: '', hostname: 'box' }, configFiles },
  );
  assert.deepEqual([given.startup, given.elsewhere, given.configFiles], [null, null, configFiles]);
});

test('the installed server program is run once, however often it is asked for', () => {
  const calls = join(work, 'calls');
  const program = join(work, 'mariadbd');
  writeFileSync(calls, '');
  writeFileSync(
    program,
    `#!/bin/sh\necho run >> ${calls}\necho "mariadbd  Ver 10.11.19-MariaDB for debian-linux-gnu"\necho "Default options are read from the following files in the given order:"\necho "/etc/my.cnf ~/.my.cnf"\necho "The following groups are read: mysqld server mariadb"\n`,
  );
  chmodSync(program, 0o755);
  const ask = serverProgramOnce({ PATH: work }, 'linux', '/home/ann');
  const first = ask();
  assert.equal(ask(), first);
  assert.deepEqual(first?.files, ['/etc/my.cnf', '/home/ann/.my.cnf']);
  assert.equal(readFileSync(calls, 'utf8'), 'run\n');
});
