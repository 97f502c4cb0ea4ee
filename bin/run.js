#!/usr/bin/env node
// CommonJS (bin/package.json): `token get` with a cached token is answered before the ESM loader
// and oclif start (dist/fast/token-get.cjs); everything else goes to oclif.
require('node:module').enableCompileCache?.() // Node >= 22.1; Node 20 has none
require('../dist/fast/token-get.cjs')
  .fastTokenGet(process.argv.slice(2))
  .then((answered) => answered || import('@oclif/core').then(({ execute }) => execute({ dir: require('node:path').join(__dirname, '..') })))
