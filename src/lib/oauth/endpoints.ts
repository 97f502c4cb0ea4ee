import type { AuthorizationServer } from 'oauth4webapi'
import type { Endpoints, Profile } from '../config/schema.js'
import { usageError } from '../errors.js'

const METADATA_NAMES: Record<keyof Endpoints, string> = {
  authorization: 'authorization_endpoint',
  token: 'token_endpoint',
  revocation: 'revocation_endpoint',
  introspection: 'introspection_endpoint',
  device: 'device_authorization_endpoint',
  registration: 'registration_endpoint',
  userinfo: 'userinfo_endpoint',
  jwks: 'jwks_uri',
  par: 'pushed_authorization_request_endpoint',
}

type EndpointSource = Pick<Profile, 'endpoints' | 'discovery'> & Partial<Profile>

/** Explicit endpoints win over discovered ones, which win over those the server's adapter implies (`preset`). */
export function effectiveEndpoints(profile: EndpointSource, preset: Endpoints = {}): Endpoints {
  const meta = profile.discovery?.metadata ?? {}
  const out: Endpoints = {}
  for (const [key, metaName] of Object.entries(METADATA_NAMES) as [keyof Endpoints, string][]) {
    const value = profile.endpoints[key] ?? meta[metaName] ?? preset[key]
    if (typeof value === 'string') out[key] = value
  }
  return out
}

/** The oauth4webapi view of a profile's authorization server, at its effective endpoints. */
export function authorizationServer(profile: EndpointSource, endpoints: Endpoints = effectiveEndpoints(profile)): AuthorizationServer {
  const issuer = profile.issuer ?? (profile.discovery?.metadata.issuer as string | undefined) ?? (endpoints.token && new URL(endpoints.token).origin)
  if (!issuer) throw usageError('the profile has neither an issuer nor a token endpoint', { code: 'no_endpoint', hint: 'oauthctl profiles add NAME --issuer URL' })
  const as: AuthorizationServer = { ...(profile.discovery?.metadata ?? {}), issuer }
  for (const [key, metaName] of Object.entries(METADATA_NAMES) as [keyof Endpoints, string][]) {
    if (endpoints[key]) (as as Record<string, unknown>)[metaName] = endpoints[key]
  }
  return as
}

export function requireEndpoint(endpoints: Endpoints, which: keyof Endpoints, flag: string): string {
  const url = endpoints[which]
  if (!url) {
    throw usageError(`the profile has no ${METADATA_NAMES[which].replaceAll('_', ' ')}`, {
      code: 'no_endpoint',
      hint: `set it with oauthctl profiles add NAME --${flag} URL, or use --issuer for discovery`,
    })
  }
  return url
}
