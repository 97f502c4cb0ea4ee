import { resolve } from 'node:path'
import type { HttpClient } from '../http/client.js'
import { discover } from '../oauth/discovery.js'
import { checkClientCertificate, clientCertificateOf } from '../oauth/sender.js'
import { registerSecret } from '../redact.js'
import { secretKeys } from '../storage/keys.js'
import type { SecretStore } from '../storage/types.js'
import { usageError } from '../errors.js'
import { parseRedirectUri } from '../login/redirect-uri.js'
import { KnownProfileSchema, profileEndpoints, vendorFor } from '../vendors/registry.js'
import { type AuthMethod, type Endpoints, type Profile, ProfileNameSchema, type ProfileInput, type StorageKind } from '../config/schema.js'
import { updateConfig } from '../config/store.js'
import { describeIssue } from '../config/json-file.js'

export interface AddProfileOptions {
  name: string
  /** Only the fields the user gave: on an existing profile they replace those fields, the rest stay. */
  fields: Omit<ProfileInput, 'endpoints' | 'discovery'> & { endpoints?: Endpoints }
  clientSecret?: string
  /** Password of the profile's admin user (APIs with Basic credentials). */
  adminPassword?: string
  makeDefault: boolean
  refreshDiscovery: boolean
  storage?: StorageKind
}

export interface AddProfileResult {
  name: string
  created: boolean
  isDefault: boolean
  profile: Profile
  discovered: boolean
  secretStored: boolean
  /** Cached token sets deleted because the DPoP or certificate setting they were bound under changed. */
  tokensDropped: number
}

/**
 * Create or update a profile: validate, discover endpoints when an issuer is new (or asked to),
 * store the client secret, then write the config. Nothing is written when any step fails.
 */
export async function addProfile(options: AddProfileOptions, deps: { configDir: string; http: () => Promise<HttpClient>; store: () => Promise<SecretStore> }): Promise<AddProfileResult> {
  const nameCheck = ProfileNameSchema.safeParse(options.name)
  if (!nameCheck.success) throw usageError(`profile name: ${describeIssue(nameCheck.error)}`, { code: 'bad_profile_name' })

  return updateConfig(deps.configDir, async (config) => {
    const existing = Object.hasOwn(config.profiles, options.name) ? config.profiles[options.name] : undefined
    const { endpoints, ...rest } = options.fields
    // Stored relative to nothing: later commands may run from another directory.
    for (const field of ['tlsCert', 'tlsKey'] as const) if (rest[field]) rest[field] = resolve(rest[field])
    const merged = KnownProfileSchema.safeParse({
      ...existing,
      ...stripUndefined(rest),
      endpoints: { ...existing?.endpoints, ...stripUndefined(endpoints ?? {}) },
      ...(options.storage ? { storage: options.storage } : {}),
    })
    if (!merged.success) throw usageError(`profile ${options.name}: ${describeIssue(merged.error)}`, { code: 'config_invalid' })
    const profile = merged.data
    if (profile.redirectUri) parseRedirectUri(profile.redirectUri, '--redirect-uri')
    const issuerChanged = profile.issuer !== undefined && profile.issuer !== existing?.issuer
    let discovered = false
    if (profile.issuer && (issuerChanged || options.refreshDiscovery || !profile.discovery)) {
      profile.discovery = await discover(profile.issuer, await deps.http())
      discovered = true
    } else if (!profile.issuer) {
      delete profile.discovery
    }
    if (profile.scopes.length === 0) profile.scopes = [...(vendorFor(profile.provider)?.defaultScopes ?? [])]
    // A vendor preset supplies the endpoints its region or host implies (and refuses a bad one here).
    if (!profile.issuer && !profileEndpoints(profile).token) {
      throw usageError(`profile ${options.name} needs --issuer (for discovery) or --token-endpoint`, { code: 'no_endpoint' })
    }
    const certificate = clientCertificateOf(profile)
    if (certificate && (certificate.cert !== existing?.tlsCert || certificate.key !== existing?.tlsKey)) await checkClientCertificate(certificate)
    let tokensDropped = 0
    // A token is bound to a DPoP key or certificate, or to none: once the profile uses another, the cache must not hand it out.
    if (existing && (Boolean(existing.dpop) !== Boolean(profile.dpop) || existing.tlsCert !== profile.tlsCert)) {
      const store = await deps.store()
      for (const key of await store.list(secretKeys.tokenPrefix(options.name))) if (await store.delete(key)) tokensDropped++
    }
    for (const [key, value] of [
      [secretKeys.clientSecret(options.name), options.clientSecret],
      [secretKeys.adminPassword(options.name), options.adminPassword],
    ] as const) {
      if (value === undefined) continue
      registerSecret(value)
      await (await deps.store()).set(key, value)
    }
    config.profiles[options.name] = profile
    if (options.makeDefault || !config.defaultProfile) config.defaultProfile = options.name
    return {
      name: options.name,
      created: !existing,
      isDefault: config.defaultProfile === options.name,
      profile,
      discovered,
      secretStored: options.clientSecret !== undefined,
      tokensDropped,
    }
  })
}

/**
 * Whether a client authenticates with a secret, as far as `profiles add` was told: a client_secret_*
 * method, or a vendor whose default is one (or, like Persona, whose API key is kept as the client secret).
 */
export function usesClientSecret(authMethod: AuthMethod | undefined, provider: string | undefined): boolean {
  return (authMethod ?? vendorFor(provider)?.defaultAuthMethod ?? '').startsWith('client_secret_') || (authMethod === undefined && provider === 'persona')
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as Partial<T>
}

/** Remove a profile and everything stored for it. Removing the default leaves no default. */
export async function removeProfile(name: string, deps: { configDir: string; store: (profile: Profile) => Promise<SecretStore> }): Promise<{ name: string; secretsRemoved: number }> {
  return updateConfig(deps.configDir, async (config) => {
    const profile = Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined
    if (!profile) throw usageError(`no profile named ${name}`, { code: 'unknown_profile', hint: 'oauthctl profiles list shows the profiles there are' })
    const store = await deps.store(profile)
    const keys = await store.list(secretKeys.profilePrefix(name))
    for (const key of keys) await store.delete(key)
    delete config.profiles[name]
    if (config.defaultProfile === name) delete config.defaultProfile
    return { name, secretsRemoved: keys.length }
  })
}
