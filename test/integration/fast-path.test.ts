import { spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { fastTokenGet, writeStdout } from '../../src/boot/fast-token-get.cjs'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'
import { readStored, seedToken } from '../helpers/stored-token.js'
import { credentialEntries, editConfig } from '../helpers/config-files.js'

const RUN_BUNDLE = resolve(import.meta.dirname, '../../dist/run.cjs')

let sandbox: Sandbox
let t: Sandboxed

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))
beforeEach(async () => {
  const added = await t.run(['profiles', 'add', 'ci', '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin'], { stdin: 'demo-confidential-secret' })
  expect(added.code).toBe(0)
})
/** Run the fast path in this process, capturing what it prints. */
async function fast(argv: string[], env: Record<string, string | undefined> = {}) {
  let out = ''
  const print = (text: string) => {
    out += text
  }
  const answered = await fastTokenGet(argv, { ...t.env, ...env }, print)
  return { answered, out }
}

describe('fast path of token get', () => {
  it('answers a cached token, and prints exactly what the full command prints', async () => {
    const full = await t.run(['token', 'get'])
    expect(full.code).toBe(0)
    const hit = await fast(['token', 'get'])
    expect(hit).toEqual({ answered: true, out: full.stdout })
    expect(await fast(['token', 'get', '-p', 'ci'])).toEqual({ answered: true, out: full.stdout })
    expect(await fast(['token', 'get', '--profile=ci'])).toEqual({ answered: true, out: full.stdout })
    // The full command with an explicit flag takes the slow path, and agrees.
    expect((await t.run(['token', 'get', '--output', 'raw'])).stdout).toBe(full.stdout)
  })

  it('writes the token to a piped stdout itself, without loading the CLI', async () => {
    const full = await t.run(['token', 'get'])
    expect(full.code).toBe(0)
    // A root with no CLI bundle under it: only the fast path can answer.
    const script = `require(${JSON.stringify(RUN_BUNDLE)}).main('/nonexistent-oauthctl-root', ['token', 'get'])`
    const child = spawnSync(process.execPath, ['-e', script], { env: t.env, encoding: 'utf8', timeout: 10_000 })
    expect({ status: child.status, stderr: child.stderr }).toEqual({ status: 0, stderr: '' })
    expect(child.stdout).toBe(full.stdout)
  })

  it('writes what a full pipe (EAGAIN) did not take through the stream, in order; another write error is thrown', () => {
    const pipe: string[] = []
    const streamed: string[] = []
    let calls = 0
    const full = (bytes: Buffer, offset: number) => {
      if (++calls > 1) throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' })
      pipe.push(bytes.subarray(offset, offset + 5).toString())
      return 5
    }
    writeStdout('token-value\n', full, (rest) => streamed.push(rest.toString()))
    expect(pipe.join('') + streamed.join('')).toBe('token-value\n')
    const closed = () => {
      throw Object.assign(new Error('EPIPE'), { code: 'EPIPE' })
    }
    expect(() => writeStdout('token-value\n', closed, () => streamed.push('never'))).toThrow('EPIPE')
    expect(streamed).toEqual(['-value\n'])
  })

  it("answers kubectl's credential call (--output exec-credential, in the version KUBERNETES_EXEC_INFO asks) as the full command does", async () => {
    expect((await t.run(['token', 'get'])).code).toBe(0)
    const argv = ['token', 'get', '--output', 'exec-credential', '-p', 'ci']
    for (const apiVersion of ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']) {
      const env = { KUBERNETES_EXEC_INFO: JSON.stringify({ kind: 'ExecCredential', apiVersion, spec: { interactive: false } }) }
      const full = await t.run([...argv, '-v'], { env })
      expect(full.code, full.stderr).toBe(0)
      expect(JSON.parse(full.stdout)).toMatchObject({ apiVersion, kind: 'ExecCredential' })
      expect(await fast(argv, env)).toEqual({ answered: true, out: full.stdout })
      expect(await fast(['token', 'get', '-p', 'ci', '-o', 'exec-credential'], env)).toEqual({ answered: true, out: full.stdout })
    }
    // A version it does not speak, another output or a repeated flag: the full command decides.
    expect((await fast(argv, { KUBERNETES_EXEC_INFO: '{"apiVersion":"client.authentication.k8s.io/v2"}' })).answered).toBe(false)
    expect((await fast(['token', 'get', '--output', 'json'])).answered).toBe(false)
    expect((await fast(['token', 'get', '-p', 'ci', '-p', 'ci'])).answered).toBe(false)
    expect((await fast(['token', 'get', '--output', 'exec-credential', '--id-token'])).answered).toBe(false)
  })

  it('falls through on a miss, leaving the work to the full command', async () => {
    expect(await fast(['token', 'get'])).toEqual({ answered: false, out: '' })
    sandbox.resetCounts()
    const result = await t.run(['token', 'get'])
    expect(result.code).toBe(0)
    expect(sandbox.requestCount('/token')).toBe(1)
  })

  it('falls through for a token that expires within the minimum TTL', async () => {
    await seedToken(t.configDir, 'ci', { access_token: 'nearly-expired', expires_at: Math.floor(Date.now() / 1000) + 30 })
    expect((await fast(['token', 'get'])).answered).toBe(false)
    await seedToken(t.configDir, 'ci', { access_token: 'fresh-enough', expires_at: Math.floor(Date.now() / 1000) + 120 })
    expect(await fast(['token', 'get'])).toEqual({ answered: true, out: 'fresh-enough\n' })
  })

  it.each([
    [['token', 'get', '--json']],
    [['token', 'get', '--output', 'header']],
    [['token', 'get', '--scope', 'api:read']],
    [['token', 'get', '--force']],
    [['token', 'get', '-p']],
    [['token', 'get', '-p', 'ci', '-v']],
    [['token', 'inspect']],
    [['status']],
  ])('falls through for %j', async (argv) => {
    await t.run(['token', 'get'])
    expect((await fast(argv)).answered).toBe(false)
  })

  it('falls through for an environment profile, a trace, or an unknown profile', async () => {
    await t.run(['token', 'get'])
    expect((await fast(['token', 'get'], { OAUTHCTL_ISSUER: sandbox.issuer })).answered).toBe(false)
    expect((await fast(['token', 'get'], { OAUTHCTL_DEBUG: '1' })).answered).toBe(false)
    expect((await fast(['token', 'get', '-p', 'nope'])).answered).toBe(false)
    expect((await fast(['token', 'get', '-p', 'toString'])).answered).toBe(false)
  })

  it('does not trust a config changed since the full command validated it', async () => {
    await t.run(['token', 'get'])
    await editConfig(t.configDir, (config) => {
      config.profiles.ci.provider = 'nope'
    })
    expect((await fast(['token', 'get'])).answered).toBe(false)
    const full = await t.run(['token', 'get'])
    expect(full.code).toBe(2) // the full command reports the broken config
  })

  it('falls through on a corrupt credentials file, and the full command reports it (exit 6)', async () => {
    await t.run(['token', 'get'])
    await writeFile(join(t.configDir, 'credentials.json'), '{"version":1,"entries":')
    expect((await fast(['token', 'get'])).answered).toBe(false)
    const full = await t.run(['token', 'get'])
    expect(full.code).toBe(6)
    expect(full.stderr).toContain('is corrupt')
  })

  it('serves the spawned CLI from the cache without a request', async () => {
    const first = await t.run(['token', 'get'])
    sandbox.resetCounts()
    const again = await t.run(['token', 'get'])
    expect(again.stdout).toBe(first.stdout)
    expect(sandbox.requestCount('/token')).toBe(0)
    expect(sandbox.requestCount('/.well-known/openid-configuration')).toBe(0)
    const key = Object.keys(await credentialEntries(t.configDir)).find((k) => k.includes('/token/'))!
    expect((await readStored(t.configDir, key))?.access_token).toBe(first.stdout.trim())
  })
})
