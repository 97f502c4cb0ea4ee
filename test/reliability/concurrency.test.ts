import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Sandbox, startSandbox } from '../../src/lib/sandbox/server.js'
import { FileStore } from '../../src/lib/storage/file.js'
import { isolated, runNode, type Sandboxed } from '../helpers/cli.js'
import { startCli } from '../helpers/cli-stream.js'
import { readStored, seedToken } from '../helpers/stored-token.js'
import { type FaultServer, stallHeaders, startFaultServer, tokenResponse } from './fault-server.js'
import { clientSecretEntry, credentialEntries, writeProfiles, writeSecrets } from './profile-files.js'
import { issueRefreshToken } from '../helpers/sandbox-grants.js'

/**
 * Many processes at once, and processes killed at the worst moment: one refresh for twenty callers,
 * a lock left by a SIGKILLed `token get` recovered, a credentials file that survives a writer
 * killed mid-write, and 200 updates from four processes with none lost.
 */
const WRITER = resolve(import.meta.dirname, 'file-store-writer.mjs')

let t: Sandboxed
beforeEach(async () => {
  t = await isolated()
})
afterEach(async () => {
  await t.cleanup()
})

/** Resolves once the child printed `pattern` on stdout (bounded). */
function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${out}`)), timeoutMs)
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      if (pattern.test(out)) {
        clearTimeout(timer)
        resolvePromise()
      }
    })
  })
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())))

describe('refresh under concurrency (sandbox)', () => {
  let sandbox: Sandbox
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(async () => {
    await sandbox.close()
  })

  it('20 parallel token get after expiry: exactly one refresh, one rotated refresh token stored, all print the same token', async () => {
    const added = await t.run(['profiles', 'add', 'r', '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin'], { stdin: 'demo-confidential-secret' })
    expect(added.code, added.stderr).toBe(0)
    const oldRefresh = await issueRefreshToken(sandbox, { clientId: 'demo-confidential' })
    const key = await seedToken(t.configDir, 'r', { access_token: 'expired-before-the-stampede', refresh_token: oldRefresh })
    sandbox.resetCounts()
    const results = await Promise.all(Array.from({ length: 20 }, () => t.run(['token', 'get'], { timeoutMs: 60_000 })))
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(0))
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1)
    expect(sandbox.requestCount('/token')).toBe(1)
    const stored = await readStored(t.configDir, key)
    expect(stored?.grant).toBe('refresh_token')
    expect(`${stored?.access_token}\n`).toBe(results[0]?.stdout)
    expect(stored?.refresh_token).toBeTruthy()
    expect(stored?.refresh_token).not.toBe(oldRefresh)
  }, 90_000)
})

describe('crash safety', () => {
  let fault: FaultServer
  beforeAll(async () => {
    fault = await startFaultServer()
  })
  afterAll(async () => {
    await fault.close()
  })

  it('a token get SIGKILLed while holding the token lock: the next run takes the stale lock over and refreshes', async () => {
    fault.reset()
    await writeProfiles(t.configDir, { k: { endpoints: { token: fault.url('/token') }, clientId: 'lock-client' } })
    await writeSecrets(t.configDir, clientSecretEntry('k', 'lock-client-secret-value-7777'))
    const key = await seedToken(t.configDir, 'k', { access_token: 'expired-access-lock-test', refresh_token: 'refresh-held-by-the-victim' })
    const credentialsBefore = await readFile(join(t.configDir, 'credentials.json'), 'utf8')
    fault.route('/token', stallHeaders, tokenResponse({ access_token: 'access-after-recovery' }))

    // The victim takes the lock, sends its refresh request and waits on it: it is inside the lock.
    const victim = startCli(['token', 'get'], t.env, { timeoutMs: 30_000 })
    try {
      const deadline = Date.now() + 10_000
      while (fault.count('/token') === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
      expect(fault.count('/token')).toBe(1)
      const locks = await readdir(join(t.configDir, 'locks'))
      expect(locks.some((f) => f.startsWith('token-k-') && f.endsWith('.lock'))).toBe(true)
    } finally {
      victim.signal('SIGKILL')
    }
    const killed = await victim.done
    expect(killed.code).toBeNull()
    expect(await readFile(join(t.configDir, 'credentials.json'), 'utf8')).toBe(credentialsBefore)

    const next = await t.run(['token', 'get'], { timeoutMs: 30_000 })
    expect(next.code, next.stderr).toBe(0)
    expect(next.stdout).toBe('access-after-recovery\n')
    // Bounded by the lock's staleness (10 s) plus one request.
    expect(next.ms).toBeLessThan(20_000)
    expect(await readStored(t.configDir, key)).toMatchObject({ access_token: 'access-after-recovery', refresh_token: 'refresh-held-by-the-victim' })
    expect(new URLSearchParams(fault.requests[1]?.body).get('refresh_token')).toBe('refresh-held-by-the-victim')
  }, 40_000)

  it('a writer SIGKILLed mid-write, again and again: credentials.json always parses, the other entries and a whole value survive', async () => {
    const keep = { 'profile/keep/client-secret': 'kept-client-secret-across-crashes-01' }
    await writeSecrets(t.configDir, keep)
    const lockDir = join(t.configDir, 'locks', 'credentials.lock-target.lock')
    const generations: number[] = []
    let killedInsideAnUpdate = 0
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, [WRITER, t.configDir, 'loop', 'big'], { stdio: ['ignore', 'pipe', 'pipe'] })
      try {
        await waitForOutput(child, /wrote \d+/)
        // Somewhere in the middle of a later write: 0-250 ms after the first one finished.
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 250)))
      } finally {
        child.kill('SIGKILL')
        await exited(child)
      }
      expect(child.signalCode).toBe('SIGKILL')
      const entries = await credentialEntries(t.configDir)
      expect(entries['profile/keep/client-secret']).toBe(keep['profile/keep/client-secret'])
      const big = JSON.parse(entries.big ?? '') as { generation: number; size: number; pad: string }
      expect(big.pad.length).toBe(big.size)
      expect(big.pad).toBe(String.fromCharCode(97 + (big.generation % 26)).repeat(big.size))
      generations.push(big.generation)
      // The killed writer may have died holding the credentials lock, i.e. inside an update. The next
      // writer would take it over once stale (10 s, proven in the token lock test); this loop removes
      // it, as the error's hint says, to keep the rounds fast.
      if (existsSync(lockDir)) killedInsideAnUpdate++
      await rm(lockDir, { recursive: true, force: true })
    }
    expect(generations).toHaveLength(8)
    // The kills did land mid-update (with 0.5-2 MiB values fsynced each time, most rounds do).
    expect(killedInsideAnUpdate).toBeGreaterThan(0)
    // A write cut short leaves its temp file behind (nobody cleans those up); it holds secrets, so it must be 0600.
    for (const temp of (await readdir(t.configDir)).filter((f) => f.endsWith('.tmp'))) expect((await stat(join(t.configDir, temp))).mode & 0o777, temp).toBe(0o600)

    // One last kill, lock left in place: a writer in this process gets through (taking the lock over if it was left).
    const child = spawn(process.execPath, [WRITER, t.configDir, 'loop', 'big'], { stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      await waitForOutput(child, /wrote \d+/)
    } finally {
      child.kill('SIGKILL')
      await exited(child)
    }
    const store = new FileStore(t.configDir)
    const started = performance.now()
    await store.set('after-the-crash', 'written-after-recovery')
    expect(performance.now() - started).toBeLessThan(15_000)
    expect(await store.get('after-the-crash')).toBe('written-after-recovery')
    expect(await store.get('profile/keep/client-secret')).toBe(keep['profile/keep/client-secret'])
  }, 60_000)

  it('200 concurrent updates from four processes: valid JSON with every key present', async () => {
    await writeSecrets(t.configDir, { 'profile/pre/client-secret': 'pre-existing-secret-0001' })
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((w) => runNode([WRITER, t.configDir, 'batch', `w${w}`, '50'], { timeoutMs: 45_000 })))
    expect(results.map((r) => [r.code, r.stdout.trim()])).toEqual(['a', 'b', 'c', 'd'].map(() => [0, 'done 50']))
    const text = await readFile(join(t.configDir, 'credentials.json'), 'utf8')
    const { entries } = JSON.parse(text) as { entries: Record<string, string> }
    expect(Object.keys(entries)).toHaveLength(201)
    for (const w of ['a', 'b', 'c', 'd']) for (let i = 0; i < 50; i++) expect(entries[`w${w}-${i}`]).toBe(`value-of-w${w}-${i}`)
    expect(entries['profile/pre/client-secret']).toBe('pre-existing-secret-0001')
    expect((await readdir(t.configDir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  }, 60_000)
})
