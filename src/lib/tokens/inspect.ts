import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose'

/**
 * What a sender-constrained token is bound to (its `cnf` claim): a DPoP key (RFC 9449, `cnf.jkt`) or
 * a client certificate (RFC 8705, `cnf.x5t#S256`), and that member's thumbprint.
 */
export interface SenderBinding {
  method: 'dpop' | 'mtls'
  thumbprint: string
}

/** The binding a `cnf` claim (in a JWT, or in an introspection response) names; undefined for a bearer token. */
export function senderBinding(cnf: unknown): SenderBinding | undefined {
  const c = cnf as { jkt?: unknown; 'x5t#S256'?: unknown } | undefined
  if (typeof c?.jkt === 'string') return { method: 'dpop', thumbprint: c.jkt }
  if (typeof c?.['x5t#S256'] === 'string') return { method: 'mtls', thumbprint: c['x5t#S256'] }
  return undefined
}

export const describeBinding = (binding: SenderBinding) =>
  binding.method === 'dpop' ? `bound to: DPoP key with thumbprint ${binding.thumbprint} (cnf.jkt)` : `bound to: client certificate with SHA-256 thumbprint ${binding.thumbprint} (cnf.x5t#S256)`

export interface JwtInspection {
  format: 'jwt'
  header: ProtectedHeaderParameters
  claims: JWTPayload
  /** iat/nbf/exp as ISO dates. */
  times: { issuedAt?: string; notBefore?: string; expiresAt?: string }
  /** Seconds until `exp` (negative once expired). */
  expiresIn?: number
  expired: boolean
  scopes: string[]
  audience: string[]
  boundTo?: SenderBinding
}

export interface OpaqueInspection {
  format: 'opaque'
  length: number
}

export type TokenInspection = JwtInspection | OpaqueInspection

const iso = (seconds: unknown) => (typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : undefined)

/** Decode a JWT's header and claims (no verification); anything that is not a JWS says it is opaque. */
export function inspectToken(token: string, nowSeconds: number): TokenInspection {
  let header: ProtectedHeaderParameters
  let claims: JWTPayload
  try {
    header = decodeProtectedHeader(token)
    claims = decodeJwt(token)
  } catch {
    // jose rejects anything that is not a compact JWS with a JSON payload: that is what opaque means here.
    return { format: 'opaque', length: token.length }
  }
  const scope = claims.scope ?? claims.scp
  const scopes = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : Array.isArray(scope) ? scope.map(String) : []
  const audience = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  return {
    format: 'jwt',
    header,
    claims,
    times: { issuedAt: iso(claims.iat), notBefore: iso(claims.nbf), expiresAt: iso(claims.exp) },
    expiresIn: typeof claims.exp === 'number' ? claims.exp - nowSeconds : undefined,
    expired: typeof claims.exp === 'number' && claims.exp <= nowSeconds,
    scopes,
    audience,
    boundTo: senderBinding(claims.cnf),
  }
}

/** Human-readable lines for `token inspect`. */
export function describeInspection(inspection: TokenInspection): string {
  if (inspection.format === 'opaque') return `opaque token (${inspection.length} characters): not a JWT, nothing to decode; try --introspect`
  const left = inspection.expiresIn === undefined ? 'no expiry' : inspection.expired ? `expired ${formatDuration(-inspection.expiresIn)} ago` : `${formatDuration(inspection.expiresIn)} left`
  const lines = [
    `header: ${JSON.stringify(inspection.header)}`,
    `claims: ${JSON.stringify(inspection.claims, null, 2)}`,
    inspection.times.issuedAt && `issued:  ${inspection.times.issuedAt}`,
    inspection.times.notBefore && `valid from: ${inspection.times.notBefore}`,
    inspection.times.expiresAt && `expires: ${inspection.times.expiresAt} (${left})`,
    inspection.scopes.length > 0 && `scopes: ${inspection.scopes.join(' ')}`,
    inspection.audience.length > 0 && `audience: ${inspection.audience.join(', ')}`,
    inspection.boundTo && describeBinding(inspection.boundTo),
  ]
  return lines.filter(Boolean).join('\n')
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? ` ${s % 60}s` : ''}`
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h < 48 ? `${h}h${m ? ` ${m}m` : ''}` : `${Math.floor(h / 24)}d`
}
