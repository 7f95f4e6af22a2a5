// yargs' ES module build imports notStrictEqual and strictEqual from Node's assert module for
// checks that pass on every ordinary run, and loading assert costs ~5 ms. Both compare with
// Object.is, so a passing check needs no module: only a failing one calls the real function,
// which throws its usual AssertionError. scripts/stand-ins.mjs checks both against assert.
let assert;
const load = () => {
  assert ??= require('node:assert');
  return assert;
};

module.exports = {
  notStrictEqual(actual, expected, message) {
    if (Object.is(actual, expected)) load().notStrictEqual(actual, expected, message);
  },
  strictEqual(actual, expected, message) {
    if (!Object.is(actual, expected)) load().strictEqual(actual, expected, message);
  },
};
