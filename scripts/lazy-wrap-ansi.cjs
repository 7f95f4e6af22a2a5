// src/output/prose.ts wraps messages with wrap-ansi, but only on a terminal or with COLUMNS set:
// a check-timeout run into a pipe or a file never wraps. wrap-ansi loads ansi-styles and
// color-convert, which build their tables when they load (a millisecond or two of every run), so
// the bundle gets this stand-in, which loads the real module on first use.
let wrapAnsi;

module.exports = function lazyWrapAnsi(text, columns, options) {
  wrapAnsi ??= require('dbcache-real:wrap-ansi');
  return wrapAnsi(text, columns, options);
};
