import { createHash } from 'node:crypto'
import type { Profile } from '../config/schema.js'
import type { HttpClient } from '../http/client.js'
import type { SecretStore } from '../storage/types.js'

/** The edges every token use case takes: the profile, its secret storage, the HTTP layer, the environment, the clock. */
export interface TokenContext {
  profileName: string
  profile: Profile
  store: SecretStore
  http: HttpClient
  env: NodeJS.ProcessEnv
  configDir: string
  now: () => number
}

/** The lock that serialises token requests for one profile and request shape (a short, file-safe name). */
export const tokenLockName = (profileName: string, cacheKey: string) =>
  `token-${profileName}-${createHash('sha256').update(cacheKey).digest('hex').slice(0, 16)}`
