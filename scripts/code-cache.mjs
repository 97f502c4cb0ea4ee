#!/usr/bin/env node
// The last step of `npm run build` (after the bundle and oclif's manifest, so that training runs
// the CLI as users get it): the V8 code cache of dist/cli.cjs (see src/boot/load-cli.cts for why).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const DIST = join(ROOT, 'dist')

// The code cache, trained on the main job (the sandbox round trip: discovery, a token request, the
// file store, inspection) and help; made in a child process, whose V8 flags it records. Should
// training fail (no loopback here, say), every function is compiled instead: a larger, slower cache.
const training = [['--help'], ['token', 'get', '--help'], ['sandbox', '--demo'], ['__complete', '--', 'token', 'get', '-p', '']]
const home = mkdtempSync(join(tmpdir(), 'oauthctl-build-'))
function writeCodeCache(eager) {
  const call = `require(${JSON.stringify(join(DIST, 'boot', 'load-cli.cjs'))}).writeCodeCache(${JSON.stringify(join(DIST, 'cli.cjs'))}, ${JSON.stringify(ROOT)}, ${JSON.stringify(training)}, ${eager}).then((n) => process.stdout.write(String(n)))`
  const env = { ...process.env, HOME: home, OAUTHCTL_CONFIG_DIR: join(home, 'config'), OAUTHCTL_STORAGE: 'file', CI: '1', NO_COLOR: '1' }
  return Number(execFileSync(process.execPath, ['-e', call], { encoding: 'utf8', env, timeout: 60_000, stdio: ['ignore', 'pipe', 'inherit'] }))
}
let bytes
let how = 'trained on ' + training.map((args) => args.join(' ')).join(', ')
try {
  bytes = writeCodeCache(false)
} catch (err) {
  process.stderr.write(`code cache training failed (${err.message.split('\n')[0]}): compiling every function instead\n`)
  bytes = writeCodeCache(true)
  how = 'every function'
} finally {
  rmSync(home, { recursive: true, force: true })
}
process.stderr.write(`code cache of dist/cli.cjs: ${(bytes / 1e6).toFixed(1)} MB (${how})\n`)
