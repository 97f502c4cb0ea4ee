import type { SecretStore } from './types.js'

/** `--storage none`: nothing outlives the process; every `token get` asks the server. */
export class MemoryStore implements SecretStore {
  readonly kind = 'none' as const
  private readonly entries = new Map<string, string>()

  async get(key: string): Promise<string | undefined> {
    return this.entries.get(key)
  }

  async set(key: string, value: string): Promise<void> {
    this.entries.set(key, value)
  }

  async delete(key: string): Promise<boolean> {
    return this.entries.delete(key)
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.entries.keys()].filter((k) => k.startsWith(prefix))
  }
}
