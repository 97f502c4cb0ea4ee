import type { StorageKind } from '../config/schema.js'
import { usageError } from '../errors.js'
import type { SecretStore } from './types.js'

export type { SecretStore } from './types.js'

export interface StorageChoice {
  kind: StorageKind
  /** Where the choice came from, for `status` and `doctor`. */
  source: 'flag' | 'env' | 'profile' | 'default'
}

/** --storage, then OAUTHCTL_STORAGE, then the profile's setting, then the keychain. */
export function chooseStorage(flag: string | undefined, env: NodeJS.ProcessEnv, profileSetting?: StorageKind): StorageChoice {
  if (flag) return { kind: parseKind(flag, '--storage'), source: 'flag' }
  if (env.OAUTHCTL_STORAGE) return { kind: parseKind(env.OAUTHCTL_STORAGE, 'OAUTHCTL_STORAGE'), source: 'env' }
  if (profileSetting) return { kind: profileSetting, source: 'profile' }
  return { kind: 'keychain', source: 'default' }
}

function parseKind(value: string, origin: string): StorageKind {
  if (value === 'keychain' || value === 'file' || value === 'none') return value
  throw usageError(`${origin} must be keychain, file or none (got ${JSON.stringify(value.slice(0, 20))})`, { code: 'bad_storage' })
}

/** Open the chosen store; each back end is loaded only when chosen. */
export async function openStore(kind: StorageKind, configDir: string, env: NodeJS.ProcessEnv = process.env): Promise<SecretStore> {
  switch (kind) {
    case 'keychain': {
      const { KeychainStore } = await import('./keychain.js')
      return new KeychainStore({ allowKernelKeyring: env.OAUTHCTL_KEYCHAIN_ALLOW_KERNEL === '1' })
    }
    case 'file': {
      const { FileStore } = await import('./file.js')
      return new FileStore(configDir)
    }
    case 'none': {
      const { MemoryStore } = await import('./memory.js')
      return new MemoryStore()
    }
  }
}
