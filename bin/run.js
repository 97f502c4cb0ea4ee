#!/usr/bin/env node
// CommonJS (bin/package.json): dist/run.cjs answers `token get` from the cache, else loads the
// bundled CLI (see src/boot/main.cts).
require('node:module').enableCompileCache?.() // Node >= 22.1; Node 20 has none
require('../dist/run.cjs').main(require('node:path').join(__dirname, '..'), process.argv.slice(2))
