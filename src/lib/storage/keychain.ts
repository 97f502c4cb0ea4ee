import { randomBytes } from 'node:crypto'
import { CliError, storageError } from '../errors.js'
import {
  bounded,
  CHUNK_CHARS,
  CHUNKED,
  chunkKey,
  DEFAULT_TIMEOUT_MS,
  entryCall,
  KEYCHAIN_SERVICE,
  type KeychainAccess,
  KeychainFailure,
  loadKeyring,
  parseHead,
  readKeychainValue,
  readRaw,
  sha256,
} from './keychain-read.cjs'
import type { SecretStore } from './types.js'

export { CHUNK_CHARS, KEYCHAIN_SERVICE } from './keychain-read.cjs'

export const KEYCHAIN_HINT =
  'choose another storage with --storage file (or OAUTHCTL_STORAGE=file), or --storage none; `oauthctl doctor` explains'

export interface KeychainOptions {
  service?: string
  /** Accept Linux's kernel keyring when no Secret Service answers (lost at logout/reboot). */
  allowKernelKeyring?: boolean
  timeoutMs?: number
}

/**
 * The OS keychain through @napi-rs/keyring. Every call is bounded by a timeout; values over
 * CHUNK_CHARS are split, the head written last so that a crash mid-write leaves the previous
 * value readable. Reading is shared with the fast path (keychain-read.cts).
 */
export class KeychainStore implements SecretStore {
  readonly kind = 'keychain' as const
  private readonly access: KeychainAccess

  constructor(options: KeychainOptions = {}) {
    this.access = {
      service: options.service ?? KEYCHAIN_SERVICE,
      allowKernelKeyring: options.allowKernelKeyring ?? false,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    }
  }

  get(key: string): Promise<string | undefined> {
    return typed(readKeychainValue(this.access, key))
  }

  async set(key: string, value: string): Promise<void> {
    const previous = await typed(readRaw(this.access, key))
    if (value.length <= CHUNK_CHARS && !value.startsWith(CHUNKED)) {
      await this.write(key, value)
    } else {
      const generation = randomBytes(4).toString('hex')
      const parts = splitChunks(value)
      for (const [i, part] of parts.entries()) await this.write(chunkKey(key, generation, i), part)
      await this.write(key, `${CHUNKED}${generation}:${parts.length}:${sha256(value)}`)
    }
    if (typeof previous === 'string' && previous.startsWith(CHUNKED)) await this.deleteChunks(key, previous)
  }

  async delete(key: string): Promise<boolean> {
    const head = await typed(readRaw(this.access, key))
    if (head === null || head === undefined) return false
    await this.remove(key)
    if (head.startsWith(CHUNKED)) await this.deleteChunks(key, head)
    return true
  }

  async list(prefix: string): Promise<string[]> {
    const found = await typed(
      bounded(this.access, 'list', (signal) => {
        const { findCredentialsAsync } = loadKeyring()
        return findCredentialsAsync(this.access.service, undefined, signal)
      }),
    )
    return found.map((c) => c.account).filter((account) => account.startsWith(prefix) && !account.includes('#'))
  }

  private write(account: string, value: string): Promise<void> {
    return typed(entryCall(this.access, account, 'write', (entry, signal) => entry.setPassword(value, signal)))
  }

  private remove(account: string): Promise<boolean> {
    return typed(entryCall(this.access, account, 'delete', (entry, signal) => entry.deletePassword(signal)))
  }

  private async deleteChunks(key: string, head: string): Promise<void> {
    const { generation, count } = parseHead(head)
    for (let i = 0; i < count; i++) await this.remove(chunkKey(key, generation, i))
  }
}

/** Split at CHUNK_CHARS, never between the two halves of a surrogate pair (an emoji would be lost). */
function splitChunks(value: string): string[] {
  const parts: string[] = []
  for (let start = 0; start < value.length; ) {
    let end = Math.min(start + CHUNK_CHARS, value.length)
    const last = value.charCodeAt(end - 1)
    if (end < value.length && last >= 0xd800 && last <= 0xdbff) end--
    parts.push(value.slice(start, end))
    start = end
  }
  return parts
}

/** Keychain failures as the exit-6 storage error, with the hint. */
async function typed<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise
  } catch (err) {
    if (err instanceof CliError || !(err instanceof KeychainFailure)) throw err
    const code = ({ unavailable: 'keychain_unavailable', timeout: 'keychain_timeout', corrupt: 'keychain_corrupt' } as const)[err.reason]
    throw storageError(err.message, { code, hint: err.reason === 'corrupt' ? undefined : KEYCHAIN_HINT, cause: err })
  }
}
