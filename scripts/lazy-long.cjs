// mysql2's packet.js requires `long` when it loads and uses it only as `new Long(low, high,
// unsigned)`, for 64-bit integers a JavaScript number cannot hold (BIGINT values past 2^53,
// 8-byte lengths). long compiles a WebAssembly module when it loads, a few milliseconds of every
// connect; so the bundle gets this stand-in, which loads the real module on the first such number.
// `new` of a function that returns an object gives that object: a real Long, with all its methods.
// scripts/stand-ins.mjs checks at build time that mysql2 uses long only this way, and compares
// the results.
let Long;

function LazyLong(low, high, unsigned) {
  Long ??= require('dbcache-real:long');
  return new Long(low, high, unsigned);
}

module.exports = LazyLong;
