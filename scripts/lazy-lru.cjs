// lru.min's createLRU allocates four arrays of `max` entries when it is called. mysql2 calls it
// when it loads for its row-parser cache (15,000 entries), its string-decoder cache (500) and its
// TLS session cache, and for each connection's prepared statements (16,000): about 1 MB that a
// one-shot command never touches, since only watch-connections prepares statements and rows are
// parsed without generated code (the decoder cache is used, and made at its first use). This stand-in
// makes the real LRU on first use of any of its members; every use goes to the real one.
// scripts/stand-ins.mjs checks at build time which mysql2 files import lru.min and what they take
// from it, and that the stand-in behaves as the real LRU.
const { createLRU: createRealLRU } = require('dbcache-real:lru.min');

exports.createLRU = (options) => {
  // The real one's refusal, at once, as the real one gives it.
  const { max } = options;
  if (!(Number.isInteger(max) && max > 0)) throw new TypeError('`max` must be a positive integer');
  let real;
  const lru = () => {
    real ??= createRealLRU(options);
    return real;
  };
  return new Proxy(
    {},
    {
      get: (_, key) => lru()[key],
      set: (_, key, value) => Reflect.set(lru(), key, value),
      has: (_, key) => key in lru(),
      ownKeys: () => Reflect.ownKeys(lru()),
      getOwnPropertyDescriptor: (_, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(lru(), key);
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
};
