import { decodeJwt } from 'jose'
import type { Profile } from './config/schema.js'
import { CliError } from './errors.js'
import { secretKeys } from './storage/keys.js'
import type { SecretStore } from './storage/types.js'
import { expiryJson } from './output/token-output.js'
import { grantedScopes, tokenBinding } from './tokens/cached-token.js'
import { parseStoredToken } from './tokens/token-set.js'

export interface TokenStatus {
  scopes: string[]
  audience?: string
  resource?: string
  expiresAt: string
  expiresAtEpoch: number
  expiresIn: number
  refreshable: boolean
  subject?: string
  grant: string
}

export interface ProfileStatus {
  name: string
  default: boolean
  provider: string
  storage: string
  /** `unavailable: …` when the store could not be read. */
  storageError?: string
  loggedIn: boolean
  hasClientSecret: boolean
  tokens: TokenStatus[]
}

function subjectOf(idToken: string | undefined, accessToken: string): string | undefined {
  for (const jwt of [idToken, accessToken]) {
    if (!jwt) continue
    try {
      const sub = decodeJwt(jwt).sub
      if (sub) return sub
    } catch {
      // not a JWT (opaque access token): the next candidate, or no subject
    }
  }
  return undefined
}

/** What `status` says of one profile. A store that cannot be read is reported, not fatal. */
export async function profileStatus(
  name: string,
  profile: Profile,
  isDefault: boolean,
  store: () => Promise<SecretStore>,
  storageKind: string,
  env: NodeJS.ProcessEnv,
  now: number,
): Promise<ProfileStatus> {
  const base = { name, default: isDefault, provider: profile.provider, storage: storageKind }
  try {
    const s = await store()
    const tokens: TokenStatus[] = []
    // Tokens of another server or client (the profile was re-added) are not this profile's any more.
    const binding = tokenBinding(profile)
    for (const key of await s.list(secretKeys.tokenPrefix(name))) {
      const token = parseStoredToken(await s.get(key), binding)
      if (!token) continue
      tokens.push({
        scopes: grantedScopes(token),
        audience: token.requested.audience,
        resource: token.requested.resource,
        ...expiryJson(token.expires_at),
        expiresIn: token.expires_at - now,
        refreshable: Boolean(token.refresh_token),
        subject: subjectOf(token.id_token, token.access_token),
        grant: token.grant,
      })
    }
    const hasClientSecret = Boolean(env.OAUTHCTL_CLIENT_SECRET) || (await s.get(secretKeys.clientSecret(name))) !== undefined
    return { ...base, loggedIn: tokens.some((t) => t.expiresIn > 0 || t.refreshable), hasClientSecret, tokens }
  } catch (err) {
    if (!(err instanceof CliError) || err.kind !== 'storage') throw err
    return { ...base, storageError: err.message, loggedIn: false, hasClientSecret: false, tokens: [] }
  }
}
