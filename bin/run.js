#!/usr/bin/env node
// CommonJS (bin/package.json): dist/run.cjs answers `token get` from the cache, else loads the
// bundled CLI (see src/boot/main.cts).
// Node >= 22.1 caches compiled code on disk. Node 20 has no such cache, and loading node:module
// (with the ESM loader behind it) would cost its cached `token get` ~0.7 ms for nothing.
if (Number(process.versions.node.split('.')[0]) >= 22) require('node:module').enableCompileCache?.()
require('../dist/run.cjs').main(require('node:path').join(__dirname, '..'), process.argv.slice(2))
