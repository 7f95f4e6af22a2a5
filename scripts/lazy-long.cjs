// mysql2's packet.js requires `long` when it loads, and needs it only for a 64-bit integer a
// JavaScript number cannot hold: an 8-byte length or count of 2^53 or more (affected rows, an
// insert id), and BIGINTs of the binary protocol read with supportBigNumbers. long compiles a
// WebAssembly module as it loads (with wrap-ansi's stand-in, 3.4 ms of a check-timeout run,
// measured from the loader's start to exit), so the bundle gets this stand-in, which loads the
// real module on first use: constructed, called, or any property read (its static methods;
// `prototype`, which `instanceof` reads). Listing its properties is not passed on; mysql2 does
// not. scripts/stand-ins.mjs compares it with long.
let Long;
const real = () => {
  Long ??= require('dbcache-real:long');
  return Long;
};

module.exports = new Proxy(function Long() {}, {
  construct: (_, args, newTarget) => Reflect.construct(real(), args, newTarget),
  apply: (_, self, args) => Reflect.apply(real(), self, args),
  get: (_, key) => Reflect.get(real(), key),
  has: (_, key) => key in real(),
});
