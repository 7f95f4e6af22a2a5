import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runCli } from '../helpers/target.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/dbcache.js', import.meta.url));

test('dbcache completion prints a bash completion script', async () => {
  const result = await runCli(['completion'], { SHELL: '/bin/bash' });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^complete -o bashdefault -o default -F _dbcache_yargs_completions dbcache$/m);
  assert.doesNotMatch(result.stdout, /compdef/);
});

test('dbcache completion prints a zsh script when the shell is zsh', async () => {
  const result = await runCli(['completion'], { SHELL: '/usr/bin/zsh' });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^#compdef dbcache$/m);
});

test('the bash script, sourced by a real bash, completes command names and a command flags', async () => {
  // The script calls `dbcache` by name, as it would be after `npm install -g .`.
  const dir = await mkdtemp(join(tmpdir(), 'dbcache-completion-'));
  try {
    await symlink(BIN, join(dir, 'dbcache'));
    const env = { PATH: `${dir}:${process.env.PATH}`, HOME: dir, SHELL: '/bin/bash' };
    const complete = async (...words: string[]) => {
      const script = `source <(dbcache completion)
COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_dbcache_yargs_completions; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const { stdout } = await run('bash', ['-c', script], { env });
      return stdout.split('\n').filter(Boolean);
    };
    assert.deepEqual(await complete('dbcache', 'check-t'), ['check-timeout']);
    assert.deepEqual((await complete('dbcache', 'patch-config', '--dry')).sort(), ['--dry-run']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
