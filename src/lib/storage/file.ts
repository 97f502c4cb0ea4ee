import { credentialsFile } from '../config/paths.js'
import { CliError, storageError } from '../errors.js'
import { writeFileAtomic } from '../fs/atomic-write.js'
import { assertConfigDir, readFileNoFollow } from '../fs/config-folder.js'
import { withLock } from '../lock.js'
import { type Credentials, emptyCredentials, parseCredentials } from './credentials-format.cjs'
import type { SecretStore } from './types.js'


/**
 * `credentials.json` in the config folder: 0600, replaced atomically, changed under a
 * cross-process lock so that parallel writers never lose each other's entries.
 */
export class FileStore implements SecretStore {
  readonly kind = 'file' as const
  readonly path: string

  constructor(private readonly dir: string) {
    this.path = credentialsFile(dir)
  }

  async get(key: string): Promise<string | undefined> {
    const { entries } = await this.read()
    return Object.hasOwn(entries, key) ? entries[key] : undefined
  }

  async set(key: string, value: string): Promise<void> {
    await this.update((entries) => {
      entries[key] = value
    })
  }

  async delete(key: string): Promise<boolean> {
    return this.update((entries) => {
      const had = Object.hasOwn(entries, key)
      delete entries[key]
      return had
    })
  }

  async list(prefix: string): Promise<string[]> {
    return Object.keys((await this.read()).entries).filter((k) => k.startsWith(prefix))
  }

  private async update<T>(change: (entries: Record<string, string>) => T): Promise<T> {
    assertConfigDir(this.dir)
    return withLock(this.dir, 'credentials', async () => {
      const credentials = await this.read()
      const result = change(credentials.entries)
      await writeFileAtomic(this.path, `${JSON.stringify(credentials, null, 2)}\n`, 0o600)
      return result
    })
  }

  private async read(): Promise<Credentials> {
    assertConfigDir(this.dir)
    let text: string
    try {
      text = await readFileNoFollow(this.path)
    } catch (err) {
      if (err instanceof CliError) throw err
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyCredentials()
      throw storageError(`cannot read ${this.path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, { code: 'file_unreadable' })
    }
    const credentials = parseCredentials(text)
    if ('invalid' in credentials) throw corrupt(this.path, credentials.invalid)
    return credentials
  }
}

const corrupt = (path: string, why: string) =>
  storageError(`${path} is corrupt (${why}); it was left untouched`, {
    code: 'file_corrupt',
    hint: `move it aside (mv ${path} ${path}.bak) and log in again`,
  })
