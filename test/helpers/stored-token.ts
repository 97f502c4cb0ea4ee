import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { secretKeys } from '../../src/lib/storage/keys.js'
import { tokenCacheKey } from '../../src/lib/tokens/cache.js'
import { tokenBinding } from '../../src/lib/tokens/cached-token.js'
import type { StoredToken } from '../../src/lib/tokens/token-set.js'
import { credentialEntries } from './config-files.js'

/** Write a token into a file store as if oauthctl had stored it for the profile's default request (bound to the profile's server and client as config.json has them). */
export const seedToken = (configDir: string, profile: string, token: Partial<StoredToken> & { access_token: string }, scopes: string[] = []): Promise<string> =>
  seedAt(configDir, profile, secretKeys.token(profile, tokenCacheKey({ scopes })), token, scopes)

/** Write a token into a file store as the profile's login session (what `login` stores). */
export const seedSession = (configDir: string, profile: string, token: Partial<StoredToken> & { access_token: string }, scopes: string[] = []): Promise<string> =>
  seedAt(configDir, profile, secretKeys.session(profile), token, scopes)

async function seedAt(configDir: string, profile: string, key: string, token: Partial<StoredToken> & { access_token: string }, scopes: string[]): Promise<string> {
  const path = join(configDir, 'credentials.json')
  const credentials = JSON.parse(await readFile(path, 'utf8').catch(() => '{"version":1,"entries":{}}'))
  const now = Math.floor(Date.now() / 1000)
  const config = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8').catch(() => '{"profiles":{}}'))
  const binding = tokenBinding(config.profiles[profile] ?? {})
  const full: StoredToken = { token_type: 'Bearer', expires_at: now - 10, obtained_at: now - 3600, grant: 'authorization_code', binding, requested: { scopes }, response: {}, ...token }
  credentials.entries[key] = JSON.stringify(full)
  await writeFile(path, JSON.stringify(credentials), { mode: 0o600 })
  return key
}

export async function readStored(configDir: string, key: string): Promise<StoredToken | undefined> {
  const value = (await credentialEntries(configDir))[key]
  return value ? JSON.parse(value) : undefined
}
