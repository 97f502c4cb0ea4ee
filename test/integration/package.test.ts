import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runNode } from '../helpers/cli.js'

/**
 * The package as users get it: `npm pack` in a copy of the repository (so its prepack build runs
 * there, not over the dist/ the other tests use), then `npm install -g` of the tarball into a
 * temporary prefix, from the npm cache where it can (the registry otherwise), with bounded waits.
 */
const ROOT = resolve(import.meta.dirname, '../..')
const LOADER = join(ROOT, 'dist', 'boot', 'load-cli.cjs')
const run = promisify(execFile)

// npm's variables from an enclosing `npm test` (local prefix, lifecycle) must not steer these npm
// calls; those that say how to reach the registry and where the cache is (.ci/run sets them) stay.
const KEEP = /^npm_config_(cache|userconfig|globalconfig|cafile|registry|proxy|https_proxy|noproxy|strict_ssl)$/i
const npmEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || KEEP.test(k)))
const npm = (args: string[], cwd: string, timeoutMs: number) => run('npm', [...args, '--no-audit', '--no-fund', '--no-update-notifier'], { cwd, env: npmEnv(), timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20 })

/** What the bundled CLI needs at run time, and the package's documents: nothing else. */
const SHIPPED = ['CHANGELOG.md', 'LICENSE', 'README.md', 'bin/package.json', 'bin/run.js', 'dist/cli.cjs', 'dist/cli.cjs.cache', 'dist/lib/esm-import.cjs', 'dist/run.cjs', 'oclif.manifest.json', 'package.json']

// Node >= 22.1 compiles through its own cache (bin/run.js enables it) instead of the build's.
const nodeCompileCache = typeof ((await import('node:module')).default as { enableCompileCache?: unknown }).enableCompileCache === 'function'

describe('the npm package', () => {
  let work: string
  let packed: { filename: string; files: { path: string }[] }
  let installed: string
  let bin: string

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'oauthctl-package-'))
    const source = join(work, 'source')
    // The repository's files as git sees them (tracked and new, nothing ignored), with its node_modules.
    const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, maxBuffer: 16 << 20 })
    for (const file of stdout.split('\0').filter(Boolean)) await cp(join(ROOT, file), join(source, file), { force: false, errorOnExist: false }).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err })
    await symlink(join(ROOT, 'node_modules'), join(source, 'node_modules'), 'dir')
    await mkdir(join(work, 'out'))
    const pack = await npm(['pack', '--json', '--pack-destination', join(work, 'out')], source, 180_000)
    packed = (JSON.parse(pack.stdout) as (typeof packed)[])[0] as typeof packed
    const prefix = join(work, 'prefix')
    await npm(['install', '--global', '--prefix', prefix, '--prefer-offline', join(work, 'out', packed.filename)], work, 240_000)
    installed = join(prefix, 'lib', 'node_modules', 'oauthctl')
    bin = join(prefix, 'bin', 'oauthctl')
  }, 420_000)

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true })
  })

  it('packs exactly what the CLI needs at run time, and the licence, readme and changelog', () => {
    expect(packed.files.map((f) => f.path).sort()).toEqual(SHIPPED)
  })

  it('declares its licence, repository, supported Node versions, and builds before packing', async () => {
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>
    expect(manifest).toMatchObject({ license: 'MIT', engines: { node: '^20.18.1 || >=22' }, repository: { type: 'git' }, bugs: { url: expect.stringMatching(/^https:\/\//) }, homepage: expect.stringMatching(/^https:\/\//) })
    expect(manifest.keywords).toEqual(expect.arrayContaining(['oauth', 'oidc', 'cli']))
    expect(await readFile(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} oauthctl contributors\n/)
  })

  it('installed globally, `oauthctl sandbox --demo` works from any folder', async () => {
    const home = join(work, 'home')
    const elsewhere = join(work, 'elsewhere')
    await mkdir(elsewhere, { recursive: true })
    const env = { PATH: process.env.PATH, HOME: home, TMPDIR: tmpdir(), OAUTHCTL_STORAGE: 'file', CI: '1', NO_COLOR: '1' }
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(bin, ['sandbox', '--demo'], { cwd: elsewhere, env, timeout: 60_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }))
    })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('token get (again): from cache, same token: true')
    expect(result.stdout).toMatch(/demo finished: the sandbox is stopped and the temporary profile removed\n$/)
    const version = await run(bin, ['--version'], { cwd: elsewhere, env, timeout: 30_000 })
    expect(version.stdout).toMatch(/^oauthctl\/0\.\d+\.\d+ /)
  })

  it('the installed bundle compiles against its own code cache (on Node 20; Node >= 22.1 uses its compile cache)', async () => {
    const bundle = join(installed, 'dist', 'cli.cjs')
    const out = await runNode(['-e', `process.stdout.write(require(${JSON.stringify(LOADER)}).loadCli(${JSON.stringify(bundle)}).codeCache)`])
    expect(out.stderr).toBe('')
    expect(out.stdout).toBe(nodeCompileCache ? 'node' : 'used')
  })
})
