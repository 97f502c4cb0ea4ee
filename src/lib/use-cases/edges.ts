import type { Profile } from '../config/schema.js'
import type { HttpClient } from '../http/client.js'
import type { StorageChoice } from '../storage/index.js'
import type { SecretStore } from '../storage/types.js'

/** What a use case reaches the world through; the CLI's Runtime supplies them, tests may supply others. */
export interface Edges {
  env: NodeJS.ProcessEnv
  configDir: string
  /** Epoch seconds. */
  now: () => number
  /** The storage a profile uses: --storage, then OAUTHCTL_STORAGE, then the profile's, then the keychain. */
  storageChoice: (profile?: Profile) => StorageChoice
  store: (profile?: Profile) => Promise<SecretStore>
  http: () => Promise<HttpClient>
}
