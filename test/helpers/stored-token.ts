import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { secretKeys } from '../../src/lib/storage/keys.js'
import { tokenCacheKey } from '../../src/lib/tokens/cache.js'
import { type RuleProfile, sessionKey, tokenBinding } from '../../src/lib/tokens/cached-token.js'
import type { StoredToken } from '../../src/lib/tokens/token-set.js'
import { credentialEntries } from './config-files.js'

/** Write a token into a file store as if oauthctl had stored it for the profile's default request (bound to the profile's server and client as config.json has them). */
export const seedToken = (configDir: string, profile: string, token: Partial<StoredToken> & { access_token: string }, scopes: string[] = []): Promise<string> =>
  seedAt(configDir, profile, () => secretKeys.token(profile, tokenCacheKey({ scopes })), token, scopes)

/** Write a token into a file store as the profile's session after a login that asked for `scopes` (where `login` stores it). */
export const seedSession = (configDir: string, profile: string, token: Partial<StoredToken> & { access_token: string }, scopes: string[] = []): Promise<string> =>
  seedAt(configDir, profile, (settings) => sessionKey(profile, settings), token, scopes)

async function seedAt(configDir: string, profile: string, keyOf: (settings: RuleProfile) => string, token: Partial<StoredToken> & { access_token: string }, scopes: string[]): Promise<string> {
  const path = join(configDir, 'credentials.json')
  const credentials = JSON.parse(await readFile(path, 'utf8').catch(() => '{"version":1,"entries":{}}'))
  const now = Math.floor(Date.now() / 1000)
  const config = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8').catch(() => '{"profiles":{}}'))
  const settings: RuleProfile = config.profiles[profile] ?? {}
  const key = keyOf(settings)
  const binding = tokenBinding(settings)
  const full: StoredToken = { token_type: 'Bearer', expires_at: now - 10, obtained_at: now - 3600, grant: 'authorization_code', binding, requested: { scopes }, response: {}, ...token }
  credentials.entries[key] = JSON.stringify(full)
  await writeFile(path, JSON.stringify(credentials), { mode: 0o600 })
  return key
}

export async function readStored(configDir: string, key: string): Promise<StoredToken | undefined> {
  const value = (await credentialEntries(configDir))[key]
  return value ? JSON.parse(value) : undefined
}
