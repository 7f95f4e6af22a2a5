// cliui and wrap-ansi (yargs' help layout) and cli-table3 measure every word and cell with
// string-width, which strips ANSI codes and runs a large emoji regular expression on each
// string: most of `dbcache --help`'s time. A string of printable ASCII characters is as wide as
// it is long, so that needs no work; anything else goes to the real string-width, loaded then.
// scripts/stand-ins.mjs compares the two at build time.
let real;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function stringWidth(string) {
  if (typeof string === 'string' && PRINTABLE_ASCII.test(string)) return string.length;
  real ??= require('dbcache-real:string-width');
  return real(string);
}

module.exports = stringWidth;
module.exports.default = stringWidth;
