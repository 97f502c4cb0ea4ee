import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import Module from 'node:module'
import { dirname } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { Script } from 'node:vm'

/** The bundled CLI (dist/cli.cjs): oclif, every command and the libraries they use, in one file. */
export interface CliBundle {
  execute(options: { dir: string; args?: string[] }): Promise<unknown>
}

/**
 * V8 flags for every full run. Liftoff only: undici's HTTP parser is WebAssembly, and the
 * optimising compile V8 starts for it in the background must finish before the process may exit
 * (measured here: ~100 ms added to a one-request command on 2 cores). A code cache records the
 * flags it was made with, so the cache is made with these too.
 */
const V8_FLAGS = '--liftoff-only'

export const codeCacheFile = (bundle: string) => `${bundle}.cache`

// The CommonJS wrapper, as Node's own loader applies it.
const wrap = (source: string) => `(function (exports, require, module, __filename, __dirname) { ${source}\n})`

function compile(bundle: string, cachedData?: Buffer): Script {
  setFlagsFromString(V8_FLAGS)
  return new Script(wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData })
}

/** How the bundle was compiled: against the build's code cache, by Node's own compile cache, or from source. */
export type CodeCacheUse = 'used' | 'rejected' | 'none' | 'node'

/**
 * Load the bundle. Node 20 has no compile cache (module.enableCompileCache came in 22.1), and
 * compiling ~4 MB of JavaScript was most of the cost of a command; so on Node 20 the bundle is
 * compiled against the V8 code cache the build made. V8 rejects a cache from another V8 version
 * or other flags (the bundle then compiles as usual); a cache made from another bundle is not used.
 * The module goes into require.cache so that oclif, requiring the bundle for its commands, gets
 * this same instance.
 */
export function loadCli(bundle: string): { cli: CliBundle; codeCache: CodeCacheUse } {
  setFlagsFromString(V8_FLAGS)
  if (typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function') return { cli: require(bundle) as CliBundle, codeCache: 'node' }
  const cachedData = freshCodeCache(bundle)
  const script = compile(bundle, cachedData)
  return { cli: instantiate(bundle, script), codeCache: !cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'used' }
}

/** Run the compiled bundle as the CommonJS module `bundle`, registered in require.cache. */
function instantiate(bundle: string, script: Script): CliBundle {
  const module = new Module(bundle)
  module.filename = bundle
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(bundle))
  require.cache[bundle] = module
  const run = script.runInThisContext() as (...args: unknown[]) => void
  run.call(module.exports, module.exports, Module.createRequire(bundle), module, bundle, dirname(bundle))
  module.loaded = true
  return module.exports as CliBundle
}

// The cache file starts with the SHA-256 of the bundle it was made from: V8 checks only the source's
// length, and file times do not survive npm pack and install (which may write the cache first).
const bundleDigest = (bundle: string) => createHash('sha256').update(readFileSync(bundle)).digest()

function freshCodeCache(bundle: string): Buffer | undefined {
  try {
    const file = readFileSync(codeCacheFile(bundle))
    return file.subarray(0, 32).equals(bundleDigest(bundle)) ? file.subarray(32) : undefined
  } catch {
    return undefined // no cache: compile as usual
  }
}

/**
 * Write the bundle's code cache (at build time), trained: the bundle runs the commands in `runs`
 * (their output discarded), and V8 caches the functions compiled so far: what those commands use,
 * about a fifth of the bundle. Compiling every function instead (`eager`) makes a cache five times
 * larger that costs ~30 ms more to load than it saves. A training run that fails fails the call.
 */
export async function writeCodeCache(bundle: string, root: string, runs: string[][], eager = false): Promise<number> {
  if (eager) setFlagsFromString('--no-lazy')
  const script = compile(bundle)
  // The cache records the flags it was made with: laziness back to the default before it is made.
  if (eager) setFlagsFromString('--lazy')
  if (!eager) await train(instantiate(bundle, script), root, runs)
  const data = script.createCachedData()
  writeFileSync(codeCacheFile(bundle), Buffer.concat([bundleDigest(bundle), data]))
  return data.length
}

async function train(cli: CliBundle, root: string, runs: string[][]): Promise<void> {
  const write = { out: process.stdout.write, err: process.stderr.write }
  process.stdout.write = process.stderr.write = () => true
  try {
    for (const args of runs) {
      await cli.execute({ dir: root, args })
      if (process.exitCode) throw new Error(`training run \`${args.join(' ')}\` exited ${process.exitCode}`)
    }
  } finally {
    process.stdout.write = write.out
    process.stderr.write = write.err
  }
}
