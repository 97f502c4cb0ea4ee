import { createHash, randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { CliError, storageError } from '../errors.js'
import type { SecretStore } from './types.js'

type Keyring = typeof import('@napi-rs/keyring')

export const KEYCHAIN_SERVICE = 'oauthctl'
/** Under the smallest platform limit (Windows Credential Manager: 2,560 bytes a credential). */
export const CHUNK_CHARS = 2000
const CALL_TIMEOUT_MS = 5000
const CHUNKED = 'oauthctl-chunked:v1:'

export const KEYCHAIN_HINT =
  'choose another storage with --storage file (or OAUTHCTL_STORAGE=file), or --storage none; `oauthctl doctor` explains'

let keyring: Keyring | undefined
/** createRequire, not import(): the ESM loader costs ~45 ms more for this native module. */
function loadKeyring(): Keyring {
  keyring ??= createRequire(import.meta.url)('@napi-rs/keyring') as Keyring
  return keyring
}

export interface KeychainOptions {
  service?: string
  /** Accept Linux's kernel keyring when no Secret Service answers (lost at logout/reboot). */
  allowKernelKeyring?: boolean
  timeoutMs?: number
}

/**
 * The OS keychain through @napi-rs/keyring. Every call is bounded by a timeout (a hung D-Bus must
 * not hang the CLI); values over CHUNK_CHARS are split, the head written last so that a crash
 * mid-write leaves the previous value readable.
 */
export class KeychainStore implements SecretStore {
  readonly kind = 'keychain' as const
  private readonly service: string
  private readonly allowKernel: boolean
  private readonly timeoutMs: number

  constructor(options: KeychainOptions = {}) {
    this.service = options.service ?? KEYCHAIN_SERVICE
    this.allowKernel = options.allowKernelKeyring ?? false
    this.timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS
  }

  async get(key: string): Promise<string | undefined> {
    const head = await this.call('read', (e) => e.getPassword(this.signal()), key)
    if (head === null || head === undefined) return undefined
    if (!head.startsWith(CHUNKED)) return head
    const { generation, count, digest } = parseHead(head)
    const parts: string[] = []
    for (let i = 0; i < count; i++) {
      const part = await this.call('read', (e) => e.getPassword(this.signal()), chunkKey(key, generation, i))
      if (typeof part !== 'string') throw storageError(`keychain entry ${key} is missing part ${i + 1} of ${count}`, { code: 'keychain_corrupt' })
      parts.push(part)
    }
    const value = parts.join('')
    if (sha256(value) !== digest) throw storageError(`keychain entry ${key} does not match its checksum`, { code: 'keychain_corrupt' })
    return value
  }

  async set(key: string, value: string): Promise<void> {
    const previous = await this.call('read', (e) => e.getPassword(this.signal()), key)
    if (value.length <= CHUNK_CHARS && !value.startsWith(CHUNKED)) {
      await this.call('write', (e) => e.setPassword(value, this.signal()), key)
    } else {
      const generation = randomBytes(4).toString('hex')
      const count = Math.ceil(value.length / CHUNK_CHARS)
      for (let i = 0; i < count; i++) {
        const part = value.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS)
        await this.call('write', (e) => e.setPassword(part, this.signal()), chunkKey(key, generation, i))
      }
      await this.call('write', (e) => e.setPassword(`${CHUNKED}${generation}:${count}:${sha256(value)}`, this.signal()), key)
    }
    if (typeof previous === 'string' && previous.startsWith(CHUNKED)) await this.deleteChunks(key, previous)
  }

  async delete(key: string): Promise<boolean> {
    const head = await this.call('read', (e) => e.getPassword(this.signal()), key)
    if (head === null || head === undefined) return false
    await this.call('delete', (e) => e.deletePassword(this.signal()), key)
    if (head.startsWith(CHUNKED)) await this.deleteChunks(key, head)
    return true
  }

  async list(prefix: string): Promise<string[]> {
    const { findCredentialsAsync } = this.keyring()
    const found = await this.bounded('list', findCredentialsAsync(this.service, undefined, this.signal()))
    return found.map((c) => c.account).filter((account) => account.startsWith(prefix) && !account.includes('#'))
  }

  private async deleteChunks(key: string, head: string): Promise<void> {
    const { generation, count } = parseHead(head)
    for (let i = 0; i < count; i++) await this.call('delete', (e) => e.deletePassword(this.signal()), chunkKey(key, generation, i))
  }

  private keyring(): Keyring {
    try {
      return loadKeyring()
    } catch (err) {
      throw storageError(`keychain library cannot load: ${(err as Error).message}`, { code: 'keychain_unavailable', hint: KEYCHAIN_HINT })
    }
  }

  private signal(): AbortSignal {
    return AbortSignal.timeout(this.timeoutMs)
  }

  private async call<T>(op: string, fn: (entry: InstanceType<Keyring['AsyncEntry']>) => Promise<T>, account: string): Promise<T> {
    const { AsyncEntry } = this.keyring()
    let entry: InstanceType<Keyring['AsyncEntry']>
    try {
      entry =
        process.platform === 'linux' && !this.allowKernel
          ? new AsyncEntry(this.service, account, { linux: { store: 'secret-service' } })
          : new AsyncEntry(this.service, account)
    } catch (err) {
      throw unavailable(err)
    }
    return this.bounded(op, fn(entry))
  }

  private async bounded<T>(op: string, promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(storageError(`keychain ${op} did not finish within ${this.timeoutMs / 1000} s`, { code: 'keychain_timeout', hint: KEYCHAIN_HINT })),
        this.timeoutMs,
      )
      timer.unref()
    })
    try {
      return await Promise.race([promise, timeout])
    } catch (err) {
      throw unavailable(err)
    } finally {
      clearTimeout(timer)
    }
  }
}

function unavailable(err: unknown): CliError {
  if (err instanceof CliError) return err
  const message = (err as Error)?.message ?? String(err)
  return storageError(`keychain unavailable: ${message.split('\n')[0]}`, { code: 'keychain_unavailable', hint: KEYCHAIN_HINT, cause: err })
}

const chunkKey = (key: string, generation: string, index: number) => `${key}#${generation}.${index}`
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex')

function parseHead(head: string): { generation: string; count: number; digest: string } {
  const [generation = '', count = '0', digest = ''] = head.slice(CHUNKED.length).split(':')
  return { generation, count: Number(count), digest }
}
