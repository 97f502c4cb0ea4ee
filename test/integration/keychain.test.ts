/**
 * KeychainStore against the real OS keychain (Secret Service through gnome-keyring on Linux).
 *
 * Every entry lives under a service name unique to this run, so real user entries are never
 * touched; afterAll deletes whatever is left under it (logical keys and raw chunk entries).
 *
 * When no keychain answers, the tests that need one are skipped, unless
 * OAUTHCTL_REQUIRE_KEYCHAIN=1 (CI), where the suite fails in beforeAll with the probe's error.
 *
 * To run it locally:
 *   export HOME=$(mktemp -d) && dbus-run-session -- bash -c \
 *     'eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"; \
 *      OAUTHCTL_REQUIRE_KEYCHAIN=1 npx vitest run test/integration/keychain.test.ts'
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliError } from '../../src/lib/errors.js'
import { CHUNK_CHARS, KeychainStore } from '../../src/lib/storage/keychain.js'
import { runNode } from '../helpers/cli.js'

type Keyring = typeof import('@napi-rs/keyring')

const REQUIRE_KEYCHAIN = process.env.OAUTHCTL_REQUIRE_KEYCHAIN === '1'
const SERVICE = `oauthctl-test-${process.pid}-${randomBytes(6).toString('hex')}`
const CHUNK_HEAD = 'oauthctl-chunked:v1:'
const ROOT = resolve(import.meta.dirname, '../..')

/** Loaded on first use, so a platform without the native module still collects (and skips) the suite. */
let keyringModule: Keyring | undefined
const keyring = (): Keyring => (keyringModule ??= createRequire(import.meta.url)('@napi-rs/keyring') as Keyring)
const store = new KeychainStore({ service: SERVICE, timeoutMs: 5000 })

/** Bound any wait: the native calls must not hang the suite. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Every raw entry under SERVICE (chunks included), straight from the keyring library. */
async function rawEntries(): Promise<{ account: string; password: string }[]> {
  const found = await within(keyring().findCredentialsAsync(SERVICE, undefined, AbortSignal.timeout(5000)), 6000, 'findCredentials')
  return found.map(({ account, password }) => ({ account, password })).sort((a, b) => a.account.localeCompare(b.account))
}
const rawAccounts = async (prefix: string) => (await rawEntries()).map((e) => e.account).filter((a) => a.startsWith(prefix))
const chunkAccounts = async (key: string) => rawAccounts(`${key}#`)

function rawEntry(account: string) {
  return process.platform === 'linux'
    ? new (keyring().AsyncEntry)(SERVICE, account, { linux: { store: 'secret-service' } })
    : new (keyring().AsyncEntry)(SERVICE, account)
}

/** Write+read+delete a probe entry; the error when the keychain does not work here. */
async function probe(): Promise<Error | undefined> {
  try {
    const probeStore = new KeychainStore({ service: SERVICE, timeoutMs: 3000 })
    const value = `probe-${randomBytes(4).toString('hex')}`
    await probeStore.set('probe', value)
    const read = await probeStore.get('probe')
    if (read !== value) throw new Error(`probe read back ${JSON.stringify(read)}, not ${JSON.stringify(value)}`)
    if (!(await probeStore.delete('probe'))) throw new Error('probe delete reported nothing deleted')
    return undefined
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err))
  }
}

// Top-level await: skipIf needs the answer while the suite is being collected.
const probeError = await probe()
const available = probeError === undefined

/** A value of `length` characters that varies (so a misplaced chunk changes the checksum). */
const varied = (length: number, salt = '') =>
  Array.from({ length }, (_, i) => String.fromCharCode(33 + ((i * 7 + salt.length) % 94))).join('')

describe.skipIf(!available && !REQUIRE_KEYCHAIN)('KeychainStore against the OS keychain', () => {
  beforeAll(() => {
    if (!available) throw new Error(`OAUTHCTL_REQUIRE_KEYCHAIN=1 but the keychain is unavailable: ${probeError?.message}`, { cause: probeError })
  })

  afterAll(async () => {
    if (!available) return
    // Logical keys first (this also removes their chunks), then any raw leftover.
    for (const key of await store.list('')) await store.delete(key)
    for (const { account } of await rawEntries()) await within(rawEntry(account).deletePassword(AbortSignal.timeout(5000)), 6000, 'delete')
    expect(await rawEntries()).toEqual([])
  })

  it('round-trips set, get and delete', async () => {
    await store.set('rt/secret', 's3cr3t')
    await expect(store.get('rt/secret')).resolves.toBe('s3cr3t')
    await store.set('rt/secret', 'rotated')
    await expect(store.get('rt/secret')).resolves.toBe('rotated')
    expect(await rawAccounts('rt/')).toEqual(['rt/secret'])
    await expect(store.delete('rt/secret')).resolves.toBe(true)
    await expect(store.get('rt/secret')).resolves.toBeUndefined()
    expect(await rawAccounts('rt/')).toEqual([])
  })

  it('gives undefined for a missing key', async () => {
    await expect(store.get('missing/never-written')).resolves.toBeUndefined()
  })

  it('gives false when deleting a missing key', async () => {
    await expect(store.delete('missing/never-written')).resolves.toBe(false)
  })

  it('list(prefix) returns only the keys under the prefix', async () => {
    await store.set('list/a/1', 'x')
    await store.set('list/a/2', 'y')
    await store.set('list/b/1', 'z')
    await store.set('lister', 'w')
    expect((await store.list('list/a/')).sort()).toEqual(['list/a/1', 'list/a/2'])
    expect((await store.list('list/')).sort()).toEqual(['list/a/1', 'list/a/2', 'list/b/1'])
    expect((await store.list('list')).sort()).toEqual(['list/a/1', 'list/a/2', 'list/b/1', 'lister'])
    await expect(store.list('nothing-here/')).resolves.toEqual([])
    for (const k of ['list/a/1', 'list/a/2', 'list/b/1', 'lister']) await expect(store.delete(k)).resolves.toBe(true)
    await expect(store.list('list')).resolves.toEqual([])
  })

  it('round-trips unicode values', async () => {
    const value = 'päss wörd 🔑 密码 パスワード ✓ — "q" \\ \t'
    await store.set('uni/short', value)
    await expect(store.get('uni/short')).resolves.toBe(value)
    await store.delete('uni/short')
  })

  it('stores a 10,000-character value in chunks and round-trips it', async () => {
    const value = varied(10_000)
    expect(value.length).toBeGreaterThan(CHUNK_CHARS)
    await store.set('chunk/big', value)
    await expect(store.get('chunk/big')).resolves.toBe(value)

    // list() shows the logical key only; the raw entries show the chunks.
    await expect(store.list('chunk/')).resolves.toEqual(['chunk/big'])
    const chunks = await chunkAccounts('chunk/big')
    expect(chunks).toHaveLength(Math.ceil(10_000 / CHUNK_CHARS))
    for (const account of chunks) expect(account).toMatch(/^chunk\/big#[0-9a-f]{8}\.\d+$/)
    const raw = await rawEntries()
    const head = raw.find((e) => e.account === 'chunk/big')
    expect(head?.password.startsWith(CHUNK_HEAD)).toBe(true)
    for (const e of raw.filter((x) => x.account.startsWith('chunk/big#'))) expect(e.password.length).toBeLessThanOrEqual(CHUNK_CHARS)
    expect(raw.filter((x) => x.account.startsWith('chunk/big#')).map((e) => e.password).sort().join('').length).toBe(10_000)

    // Overwriting with a short value removes the old chunks.
    await store.set('chunk/big', 'short')
    await expect(store.get('chunk/big')).resolves.toBe('short')
    expect(await chunkAccounts('chunk/big')).toEqual([])
    expect(await rawAccounts('chunk/')).toEqual(['chunk/big'])
    await store.delete('chunk/big')
  })

  it('replaces one chunked value by another, leaving only the new chunks', async () => {
    await store.set('chunk/swap', varied(10_000, 'a'))
    const first = await chunkAccounts('chunk/swap')
    expect(first).toHaveLength(5)
    const second = varied(4_500, 'bb')
    await store.set('chunk/swap', second)
    await expect(store.get('chunk/swap')).resolves.toBe(second)
    const now = await chunkAccounts('chunk/swap')
    expect(now).toHaveLength(3)
    expect(now.filter((a) => first.includes(a))).toEqual([])
    await store.delete('chunk/swap')
  })

  it('deleting a chunked value removes its chunks', async () => {
    await store.set('chunk/del', varied(10_000, 'del'))
    expect(await chunkAccounts('chunk/del')).toHaveLength(5)
    await expect(store.delete('chunk/del')).resolves.toBe(true)
    await expect(store.get('chunk/del')).resolves.toBeUndefined()
    expect(await rawAccounts('chunk/del')).toEqual([])
  })

  it('chunks exactly above CHUNK_CHARS, not at it', async () => {
    await store.set('edge/at', varied(CHUNK_CHARS))
    expect(await chunkAccounts('edge/at')).toEqual([])
    await store.set('edge/over', varied(CHUNK_CHARS + 1))
    expect(await chunkAccounts('edge/over')).toHaveLength(2)
    await expect(store.get('edge/at')).resolves.toBe(varied(CHUNK_CHARS))
    await expect(store.get('edge/over')).resolves.toBe(varied(CHUNK_CHARS + 1))
    await store.delete('edge/at')
    await store.delete('edge/over')
  })

  it('round-trips a short value that looks like a chunk header', async () => {
    const value = `${CHUNK_HEAD}deadbeef:3:abc`
    await store.set('edge/lookalike', value)
    await expect(store.get('edge/lookalike')).resolves.toBe(value)
    await expect(store.delete('edge/lookalike')).resolves.toBe(true)
    expect(await rawAccounts('edge/lookalike')).toEqual([])
  })

  it('reports a chunked value with a missing part as storage/keychain_corrupt (exit 6)', async () => {
    await store.set('chunk/broken', varied(5_000, 'broken'))
    const chunks = await chunkAccounts('chunk/broken')
    expect(chunks).toHaveLength(3)
    await within(rawEntry(chunks[1] as string).deletePassword(AbortSignal.timeout(5000)), 6000, 'delete')
    const err = await store.get('chunk/broken').then(
      (v) => {
        throw new Error(`expected a rejection, got a value of ${v?.length} chars`)
      },
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(CliError)
    expect(err).toMatchObject({ kind: 'storage', code: 'keychain_corrupt', exitCode: 6 })
    await expect(store.delete('chunk/broken')).resolves.toBe(true)
  })

  // BUG (src/lib/storage/keychain.ts, set): chunks are cut every CHUNK_CHARS UTF-16 code units,
  // which can split a surrogate pair; the lone halves become U+FFFD on the way to the keychain,
  // so get() then fails the checksum (keychain_corrupt) and the value is lost.
  it('round-trips a long value whose emoji straddle a chunk boundary', async () => {
    const value = `a${'🔑'.repeat(CHUNK_CHARS)}`
    expect(value.charCodeAt(CHUNK_CHARS - 1)).toBeGreaterThanOrEqual(0xd800) // a high surrogate ends chunk 0
    expect(value.charCodeAt(CHUNK_CHARS - 1)).toBeLessThanOrEqual(0xdbff)
    await store.set('uni/long', value)
    await expect(store.get('uni/long')).resolves.toBe(value)
    await store.delete('uni/long')
  })
})

/**
 * An unavailable keychain. The native module connects to D-Bus once per process and keeps that
 * connection (or that failure): setting DBUS_SESSION_BUS_ADDRESS in this process after the probe
 * changes nothing for AsyncEntry (only findCredentials re-reads it). So a child process gets an
 * environment with no Secret Service, DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus, and
 * runs the TypeScript source (not a possibly stale dist/) through vite-node, which ships with
 * vitest. The child prints what each operation threw as JSON.
 */
describe.runIf(process.platform === 'linux')('KeychainStore with no Secret Service', () => {
  const viteNode = join(ROOT, 'node_modules', 'vite-node', 'vite-node.mjs')

  it('every operation rejects with CliError storage (exit 6), hinting --storage file and OAUTHCTL_STORAGE', async () => {
    expect(existsSync(viteNode)).toBe(true)
    const dir = await mkdtemp(join(tmpdir(), 'oauthctl-keychain-child-'))
    try {
      const script = join(dir, 'child.ts')
      await writeFile(
        script,
        `
import { CliError } from ${JSON.stringify(join(ROOT, 'src/lib/errors.ts'))}
import { KeychainStore } from ${JSON.stringify(join(ROOT, 'src/lib/storage/keychain.ts'))}
const store = new KeychainStore({ service: ${JSON.stringify(`${SERVICE}-unavailable`)}, timeoutMs: 5000 })
const ops: Record<string, () => Promise<unknown>> = {
  get: () => store.get('k'),
  set: () => store.set('k', 'v'),
  delete: () => store.delete('k'),
  list: () => store.list(''),
}
const out: Record<string, unknown> = {}
for (const [name, op] of Object.entries(ops)) {
  try {
    out[name] = { resolved: await op() ?? null }
  } catch (err) {
    const e = err as CliError
    out[name] = { isCliError: err instanceof CliError, kind: e.kind, code: e.code, exitCode: e.exitCode, hint: e.hint, message: e.message }
  }
}
console.log(JSON.stringify(out))
`,
      )
      const env: NodeJS.ProcessEnv = {}
      for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DBUS_') && !k.startsWith('OAUTHCTL_')) env[k] = v
      env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/bus'

      const result = await runNode([viteNode, '--root', ROOT, '--config', join(ROOT, 'vitest.config.ts'), script], { env })
      expect(result.code, result.stderr).toBe(0)
      const out = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as Record<string, Record<string, unknown>>
      expect(Object.keys(out).sort()).toEqual(['delete', 'get', 'list', 'set'])
      for (const [op, err] of Object.entries(out)) {
        expect(err, op).toMatchObject({ isCliError: true, kind: 'storage', code: 'keychain_unavailable', exitCode: 6 })
        expect(err.message, op).toMatch(/^keychain unavailable: /)
        expect(err.hint, op).toContain('--storage file')
        expect(err.hint, op).toContain('OAUTHCTL_STORAGE')
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
