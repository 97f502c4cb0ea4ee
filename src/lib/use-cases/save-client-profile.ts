import { addProfile } from './add-profile.js'
import { type Profile, ProfileNameSchema } from '../config/schema.js'
import { describeIssue } from '../config/json-file.js'
import { usageError } from '../errors.js'
import type { HttpClient } from '../http/client.js'
import { secretKeys } from '../storage/keys.js'
import type { SecretStore } from '../storage/types.js'
import type { AdminBackend, AdminContext, IssuedClient } from '../admin/types.js'

export interface SavedProfile {
  name: string
  created: boolean
}

/** Checked before anything is sent: a bad name found after the server issued a secret would cost the secret. */
export function checkSaveProfileName(name: string | undefined): void {
  if (name === undefined) return
  const result = ProfileNameSchema.safeParse(name)
  if (!result.success) throw usageError(`--save-profile: ${describeIssue(result.error)}`, { code: 'bad_profile_name' })
}

/** The profile of an issued client: the admin profile's server, the new client's id and how it authenticates. */
export function clientProfileFields(profile: Profile, issued: IssuedClient, backend: AdminBackend) {
  return {
    provider: profile.provider,
    issuer: profile.issuer,
    region: profile.region,
    host: profile.host,
    endpoints: profile.endpoints,
    clientId: issued.client.id,
    authMethod: issued.authMethod ?? backend.clientProfile?.authMethod ?? (issued.secret === undefined ? ('none' as const) : undefined),
  }
}

/**
 * `--save-profile NAME`: a profile for the new client (same server as the admin profile), with
 * its secret put straight into secret storage instead of on stdout. An existing profile is
 * pointed at the new client; its cached tokens belonged to the old one and are dropped.
 */
export async function saveClientProfile(
  options: { name: string; issued: IssuedClient; backend: AdminBackend; admin: AdminContext },
  deps: { configDir: string; http: () => Promise<HttpClient>; store: () => Promise<SecretStore> },
): Promise<SavedProfile> {
  const { name, issued, backend, admin } = options
  const result = await addProfile(
    {
      name,
      fields: clientProfileFields(admin.profile, issued, backend),
      clientSecret: issued.secret,
      makeDefault: false,
      refreshDiscovery: false,
      storage: admin.profile.storage,
    },
    deps,
  )
  if (!result.created) {
    const store = await deps.store()
    for (const key of await store.list(secretKeys.tokenPrefix(name))) await store.delete(key)
    // A public client has no secret: the one stored belonged to the previous client.
    if (issued.secret === undefined) await store.delete(secretKeys.clientSecret(name))
  }
  return { name: result.name, created: result.created }
}
