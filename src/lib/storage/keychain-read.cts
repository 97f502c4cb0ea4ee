/**
 * Reading the OS keychain, in CommonJS so that the fast path of `token get` (no ESM loader) and
 * the KeychainStore share one implementation of the entry format: a value, or a chunked value's
 * head `oauthctl-chunked:v1:<generation>:<count>:<sha256>` followed by `<key>#<generation>.<i>` parts.
 */
type Keyring = typeof import('@napi-rs/keyring')
export type KeyringEntry = InstanceType<Keyring['AsyncEntry']>

export const KEYCHAIN_SERVICE = 'oauthctl'
/** Under the smallest platform limit (Windows Credential Manager: 2,560 bytes a credential). */
export const CHUNK_CHARS = 2000
export const CHUNKED = 'oauthctl-chunked:v1:'
export const DEFAULT_TIMEOUT_MS = 5000

export interface KeychainAccess {
  service: string
  /** Accept Linux's kernel keyring when no Secret Service answers (lost at logout/reboot). */
  allowKernelKeyring: boolean
  timeoutMs: number
}

/** Why a keychain call failed; the ESM store turns it into the exit-6 CliError. */
export class KeychainFailure extends Error {
  constructor(
    readonly reason: 'unavailable' | 'timeout' | 'corrupt',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

let keyring: Keyring | undefined
/** require(), not import(): the ESM loader costs ~45 ms more for this native module. */
export function loadKeyring(): Keyring {
  try {
    keyring ??= requireKeyring()
  } catch (err) {
    throw new KeychainFailure('unavailable', `keychain library cannot load: ${(err as Error).message}`, { cause: err })
  }
  return keyring
}

/**
 * On glibc Linux, the binary's own package, directly: napi-rs's loader reads /usr/bin/ldd to tell
 * glibc from musl and more (~2.5 ms of the cached path). Anywhere that fails (musl, another
 * platform, the package missing), the loader finds the right one.
 */
function requireKeyring(): Keyring {
  if (process.platform === 'linux') {
    try {
      return require(`@napi-rs/keyring-linux-${process.arch}-gnu`) as Keyring
    } catch {
      // not glibc, or not installed: the loader below
    }
  }
  return require('@napi-rs/keyring') as Keyring
}

// One entry per account for the life of the process: creating one opens a Secret Service session
// (~7 ms here), and one `token get` may read a token, re-read it under its lock and write it.
const entries = new Map<string, KeyringEntry>()

function openEntry(access: KeychainAccess, account: string): KeyringEntry {
  const { AsyncEntry } = loadKeyring()
  try {
    return process.platform === 'linux' && !access.allowKernelKeyring
      ? new AsyncEntry(access.service, account, { linux: { store: 'secret-service' } })
      : new AsyncEntry(access.service, account)
  } catch (err) {
    throw unavailable(err)
  }
}

/** A call on the account's entry, bounded; an entry that failed is not reused (its session may be gone). */
export function entryCall<T>(access: KeychainAccess, account: string, op: string, call: (entry: KeyringEntry, signal: AbortSignal) => Promise<T>): Promise<T> {
  const id = JSON.stringify([access.service, access.allowKernelKeyring, account])
  return bounded(access, op, async (signal) => {
    const entry = entries.get(id) ?? openEntry(access, account)
    entries.set(id, entry)
    try {
      return await call(entry, signal)
    } catch (err) {
      entries.delete(id)
      throw err
    }
  })
}

/** Every keychain call is bounded: a hung D-Bus must not hang the CLI. */
export async function bounded<T>(access: KeychainAccess, op: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KeychainFailure('timeout', `keychain ${op} did not finish within ${access.timeoutMs / 1000} s`)), access.timeoutMs)
    timer.unref()
  })
  try {
    return await Promise.race([call(AbortSignal.timeout(access.timeoutMs)), timeout])
  } catch (err) {
    throw err instanceof KeychainFailure ? err : unavailable(err)
  } finally {
    clearTimeout(timer)
  }
}

function unavailable(err: unknown): KeychainFailure {
  const message = (err as Error)?.message ?? String(err)
  return new KeychainFailure('unavailable', `keychain unavailable: ${message.split('\n')[0]}`, { cause: err })
}

export const readRaw = (access: KeychainAccess, account: string) => entryCall(access, account, 'read', (entry, signal) => entry.getPassword(signal))

export const chunkKey = (key: string, generation: string, index: number) => `${key}#${generation}.${index}`

export function parseHead(head: string): { generation: string; count: number; digest: string } {
  const [generation = '', count = '0', digest = ''] = head.slice(CHUNKED.length).split(':')
  return { generation, count: Number(count), digest }
}

/** node:crypto only for chunked values: a plain read on the hot path does not load it. */
export const sha256 = (value: string): string => (require('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(value).digest('hex')

/** The value stored under `key`, reassembled when chunked; undefined when there is none. */
export async function readKeychainValue(access: KeychainAccess, key: string): Promise<string | undefined> {
  const head = await readRaw(access, key)
  if (head === null || head === undefined) return undefined
  if (!head.startsWith(CHUNKED)) return head
  const { generation, count, digest } = parseHead(head)
  const parts: string[] = []
  for (let i = 0; i < count; i++) {
    const part = await readRaw(access, chunkKey(key, generation, i))
    if (typeof part !== 'string') throw new KeychainFailure('corrupt', `keychain entry ${key} is missing part ${i + 1} of ${count}`)
    parts.push(part)
  }
  const value = parts.join('')
  if (sha256(value) !== digest) throw new KeychainFailure('corrupt', `keychain entry ${key} does not match its checksum`)
  return value
}
