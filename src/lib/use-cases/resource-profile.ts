import { type AddProfileResult, addProfile } from './add-profile.js'
import { ProfileNameSchema } from '../config/schema.js'
import { loadConfig } from '../config/store.js'
import { usageError } from '../errors.js'
import type { HttpClient } from '../http/client.js'
import { chooseAuthorizationServer, discoverProtectedResource, registerPublicClient } from '../oauth/resource-discovery.js'
import type { SecretStore } from '../storage/types.js'
import { DEFAULT_REDIRECT, parseRedirectUri, redirectUriOf } from '../login/redirect-uri.js'

export interface ResourceProfileOptions {
  /** The API's URL (`login --resource`, `profiles add --resource-url`). */
  resource: string
  /** Profile name; absent: derived from the resource's host. */
  name?: string
  /** The authorization server to use, when the resource names several. */
  issuer?: string
  clientId?: string
  redirectUri?: string
  scopes?: string[]
}

export interface ResourceProfileResult extends AddProfileResult {
  /** The authorization server the resource named. */
  issuer: string
  /** Whether a client was registered dynamically (RFC 7591) for this profile. */
  registered: boolean
}

/**
 * A profile for an API known only by its URL, the way MCP clients log in: the resource's metadata
 * (RFC 9728) names its authorization server; a public client is registered there (RFC 7591) unless
 * the profile has a client for that server already; the profile keeps the resource as its
 * resource indicator (RFC 8707), so logins and token requests ask for tokens for that API. The
 * profile is written once the client exists, so a failed login reuses it instead of registering again.
 */
export async function resourceProfile(
  options: ResourceProfileOptions,
  deps: { configDir: string; http: () => Promise<HttpClient>; store: () => Promise<SecretStore> },
): Promise<ResourceProfileResult> {
  const http = await deps.http()
  const found = await discoverProtectedResource(options.resource, http)
  const issuer = chooseAuthorizationServer(found, options.issuer)
  const name = options.name ?? profileNameFor(found.resource)
  const existing = (await loadConfig(deps.configDir)).profiles[name]
  // Another server's profile is not rewritten behind the user's back.
  if (existing && existing.issuer !== issuer) {
    throw usageError(`profile ${name} is for ${existing.issuer ?? 'another server'}, and ${found.resource} uses ${issuer}`, {
      code: 'profile_conflict',
      hint: 'choose another name with -p, or remove that profile first',
    })
  }
  const redirectUri = options.redirectUri ?? existing?.redirectUri
  let clientId = options.clientId ?? existing?.clientId
  const registered = clientId === undefined
  if (clientId === undefined) {
    const target = redirectUri ? parseRedirectUri(redirectUri) : DEFAULT_REDIRECT
    clientId = await registerPublicClient(issuer, redirectUriOf(target, target.port), http)
  }
  const result = await addProfile(
    {
      name,
      fields: {
        issuer,
        clientId,
        resource: found.resource,
        redirectUri: options.redirectUri,
        ...(registered && { authMethod: 'none' as const }),
        scopes: options.scopes?.length ? options.scopes : existing?.scopes.length ? undefined : found.scopes,
      },
      makeDefault: false,
      refreshDiscovery: false,
    },
    deps,
  )
  return { ...result, issuer, registered }
}

/** api.example.com, or 127.0.0.1-8080: a profile name from the resource's host. */
export function profileNameFor(resource: string): string {
  const name = new URL(resource).host.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64)
  if (!ProfileNameSchema.safeParse(name).success) throw usageError(`no profile name can be made from ${resource}: pass -p NAME`, { code: 'bad_profile_name' })
  return name
}
