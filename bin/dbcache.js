#!/usr/bin/env node
// CommonJS (bin/package.json), so that Node's ES module loader is not started: the CLI itself is
// compiled by dist/loader.cjs with a V8 code cache.
require('../dist/loader.cjs').run(require('node:path').join(__dirname, '..', 'dist'));
