import { join } from 'node:path'
import { fastTokenGet } from './fast-token-get.cjs'

/**
 * What bin/run.js runs: `token get` with a cached token is answered here, before the bundle loads;
 * everything else goes to oclif in the bundled CLI. This file and what it imports are bundled
 * into dist/run.cjs, one small file.
 */
export async function main(root: string, argv: string[]): Promise<void> {
  if (await fastTokenGet(argv)) return
  // Required here, not above: node:vm and node:v8 cost the cached path ~2 ms.
  const { loadCli } = require('./load-cli.cjs') as typeof import('./load-cli.cjs')
  await loadCli(join(root, 'dist', 'cli.cjs')).cli.execute({ dir: root })
}
