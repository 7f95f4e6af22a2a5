// mysql2 builds its table of ~4,000 MySQL error names (lib/constants/errors.js) when it loads,
// and reads it only when the server sends an error. This stand-in loads the real table on first
// use; every read, key listing and `in` test goes to the real table. scripts/stand-ins.mjs checks
// at build time which mysql2 files import the table, and that the table is plain data.
let errors;
const table = () => {
  errors ??= require('dbcache-real:mysql2-errors');
  return errors;
};

module.exports = new Proxy(
  {},
  {
    get: (_, key) => table()[key],
    has: (_, key) => key in table(),
    ownKeys: () => Reflect.ownKeys(table()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(table(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  },
);
