import assert from 'node:assert/strict';

/**
 * The tests run as root (CI does): giving a file another owner, and running dbcache as another
 * user (setpriv), need it. A test that needs it fails with this message rather than passing
 * without asserting anything.
 */
export function requireRoot(what: string): void {
  assert.equal(
    process.getuid?.(),
    0,
    `${what} needs root (to give a file another owner, or to run as another user): run the tests as root, as CI does.`,
  );
}
