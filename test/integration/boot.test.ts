import { copyFile, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runNode } from '../helpers/cli.js'

// The shipped CLI: dist/cli.cjs (the bundle) and the code cache the build made beside it.
const DIST = resolve(import.meta.dirname, '../../dist')
const LOADER = join(DIST, 'boot', 'load-cli.cjs')

/** Load a bundle in a fresh Node as bin/run.js does; print how it was compiled and what oclif exports. */
const load = (bundle: string) =>
  runNode([
    '-e',
    `const { loadCli } = require(${JSON.stringify(LOADER)}); const { cli, codeCache } = loadCli(${JSON.stringify(bundle)});
     process.stdout.write(JSON.stringify({ codeCache, execute: typeof cli.execute, commands: Object.keys(require(${JSON.stringify(bundle)}).COMMANDS).length }))`,
  ])

const COMMANDS = Object.keys(JSON.parse(await readFile(resolve(DIST, '../oclif.manifest.json'), 'utf8')).commands).length
// Node >= 22.1 compiles through its own cache instead (bin/run.js enables it).
const nodeCompileCache = typeof ((await import('node:module')).default as { enableCompileCache?: unknown }).enableCompileCache === 'function'

describe('the bundled CLI and its code cache', () => {
  let dir: string
  let bundle: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oauthctl-boot-'))
    bundle = join(dir, 'cli.cjs')
    await copyFile(join(DIST, 'cli.cjs'), bundle)
    await copyFile(join(DIST, 'cli.cjs.cache'), `${bundle}.cache`)
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it.skipIf(nodeCompileCache)('compiles against the cache the build made (same V8, same flags), and oclif finds every command in the same module', async () => {
    const out = await load(bundle)
    expect(out.stderr).toBe('')
    expect(JSON.parse(out.stdout)).toEqual({ codeCache: 'used', execute: 'function', commands: COMMANDS })
  })

  it.skipIf(nodeCompileCache)('uses the cache whatever the files\' times (npm install may write the cache before the bundle)', async () => {
    const past = new Date(Date.now() - 60_000)
    await utimes(`${bundle}.cache`, past, past)
    expect(JSON.parse((await load(bundle)).stdout).codeCache).toBe('used')
  })

  it.skipIf(nodeCompileCache)('ignores a cache made from another bundle of the same length, even a newer file (a rebuilt bundle must not run stale compiled code)', async () => {
    const source = await readFile(bundle, 'utf8')
    const at = source.indexOf('"use strict"')
    expect(at).toBeGreaterThanOrEqual(0)
    await writeFile(bundle, `${source.slice(0, at)}'use strict'${source.slice(at + 12)}`)
    const future = new Date(Date.now() + 60_000)
    await utimes(`${bundle}.cache`, future, future)
    const out = await load(bundle)
    expect(JSON.parse(out.stdout)).toMatchObject({ codeCache: 'none', execute: 'function', commands: COMMANDS })
  })

  it.skipIf(nodeCompileCache)('a cache V8 rejects (corrupt, or another Node) costs speed only: the CLI still loads', async () => {
    // Keep what ties the cache to this bundle (its first 32 bytes, the bundle's SHA-256); spoil what V8 reads.
    const cache = await readFile(`${bundle}.cache`)
    await writeFile(`${bundle}.cache`, Buffer.concat([cache.subarray(0, 32), Buffer.alloc(4096, 7)]))
    const out = await load(bundle)
    expect(JSON.parse(out.stdout)).toMatchObject({ codeCache: 'rejected', execute: 'function', commands: COMMANDS })
  })

  it.skipIf(nodeCompileCache)('the build\'s fallback cache (every function compiled, when training fails) is accepted too', async () => {
    const made = await runNode(['-e', `require(${JSON.stringify(LOADER)}).writeCodeCache(${JSON.stringify(bundle)}, ${JSON.stringify(resolve(DIST, '..'))}, [], true).then((n) => process.stdout.write(String(n)))`], { timeoutMs: 60_000 })
    expect(Number(made.stdout)).toBeGreaterThan(1_000_000)
    expect(JSON.parse((await load(bundle)).stdout).codeCache).toBe('used')
  })

  it('a training run that fails fails the cache, so that the build falls back', async () => {
    const made = await runNode(['-e', `require(${JSON.stringify(LOADER)}).writeCodeCache(${JSON.stringify(bundle)}, ${JSON.stringify(resolve(DIST, '..'))}, [['token', 'get', '--no-such-flag']], false).then(() => process.exit(0), (err) => { process.stdout.write(err.message); process.exit(3) })`], { timeoutMs: 60_000 })
    expect(made.code).toBe(3)
    expect(made.stdout).toBe('training run `token get --no-such-flag` exited 2')
  })

  it('without a cache the bundle compiles from source', async () => {
    await rm(`${bundle}.cache`)
    expect(JSON.parse((await load(bundle)).stdout).codeCache).toBe(nodeCompileCache ? 'node' : 'none')
  })
})
