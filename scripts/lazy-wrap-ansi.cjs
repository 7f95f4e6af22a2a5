// wrap-ansi wraps dbcache's own messages (src/output/prose.ts) and yargs' help (cliui), but only
// on a terminal or with COLUMNS set, and help only when it is not given from the help cache: a
// check-timeout run into a pipe or a file, without COLUMNS, never wraps. wrap-ansi loads ansi-styles and
// color-convert, which build their tables as they load, so the bundle gets this stand-in, which
// loads the real module (its own group file, dist/wrap-ansi.cjs) on the first call.
let wrapAnsi;

module.exports = function lazyWrapAnsi(text, columns, options) {
  wrapAnsi ??= require('dbcache-real:wrap-ansi');
  return wrapAnsi(text, columns, options);
};
