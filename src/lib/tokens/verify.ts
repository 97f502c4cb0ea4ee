import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { JSONWebKeySet, JWTPayload } from 'jose'
import { z } from 'zod'
import { CliError } from '../errors.js'
import { writeFileAtomic } from '../fs/atomic-write.js'
import type { HttpClient } from '../http/client.js'
import { errorFromResponse, parseJson } from '../http/response.js'
import { checkTransport } from '../http/transport.js'

/** Asymmetric algorithms only: `none` and HMAC (a public key used as a shared secret) never verify. */
const ALLOWED_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']
const JWKS_CACHE_SECONDS = 24 * 3600
export const CLOCK_TOLERANCE_SECONDS = 60

const JwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) })
const CachedJwksSchema = z.object({ fetchedAt: z.number(), jwks: JwksSchema })

export interface VerifyOptions {
  issuer: string
  jwksUri: string
  /** Expected `aud`; when absent the audience is reported but not checked. */
  audience?: string
  http: HttpClient
  cacheDir: string
  now: () => number
}

export interface VerifyResult {
  valid: true
  claims: JWTPayload
  alg: string
  kid?: string
  checked: string[]
}

const verificationFailed = (message: string) => new CliError('server_refused', `verification failed: ${message}`, { code: 'verification_failed' })

/**
 * Verify a JWT: signature against the issuer's JWKS (cached on disk, fetched again once when the
 * token names a key the cache lacks), then `iss`, `aud`, `exp`, `nbf` with clock-skew tolerance.
 * Any failure is exit 4, naming the check.
 */
export async function verifyJwt(token: string, options: VerifyOptions): Promise<VerifyResult> {
  const jose = await import('jose')
  const cachePath = join(options.cacheDir, `jwks-${createHash('sha256').update(options.jwksUri).digest('hex').slice(0, 16)}.json`)
  let jwks = await readCachedJwks(cachePath, options.now())
  let fetched = false
  if (!jwks) {
    jwks = await fetchJwks(options, cachePath)
    fetched = true
  } else {
    options.http.trace?.note(`the issuer's keys come from the JWKS cached in the last ${JWKS_CACHE_SECONDS / 3600} h: no request`)
  }
  const verifyWith = (set: JSONWebKeySet) =>
    jose.jwtVerify(token, jose.createLocalJWKSet(set), {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: ALLOWED_ALGS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(options.now() * 1000),
    })
  let result
  try {
    try {
      result = await verifyWith(jwks)
    } catch (err) {
      if (fetched || !(err instanceof jose.errors.JWKSNoMatchingKey)) throw err
      result = await verifyWith(await fetchJwks(options, cachePath)) // the issuer may have rotated keys
    }
  } catch (err) {
    // iss or aud differ: say what was expected and what the token has, so the fix is plain.
    if (err instanceof jose.errors.JWTClaimValidationFailed && (err.claim === 'iss' || err.claim === 'aud') && err.reason === 'check_failed') {
      throw verificationFailed(`${err.claim}: expected ${JSON.stringify(err.claim === 'iss' ? options.issuer : options.audience)}, the token has ${JSON.stringify(err.payload[err.claim])}`)
    }
    throw describeJoseError(err, jose.errors)
  }
  const checked = ['signature', 'iss', 'exp', 'nbf', ...(options.audience ? ['aud'] : [])]
  return { valid: true, claims: result.payload, alg: result.protectedHeader.alg, kid: result.protectedHeader.kid, checked }
}

const AT_HASH_DIGESTS: Record<string, string> = { 256: 'sha256', 384: 'sha384', 512: 'sha512' }

/**
 * OIDC Core §3.1.3.8 / §3.2.2.9: an ID token's `at_hash` is the left half of the access token's
 * hash (the hash of the token's signing algorithm), base64url. Absent: nothing to check (false);
 * present and different: exit 4.
 */
export function checkAtHash(claims: JWTPayload, alg: string, accessToken: string): boolean {
  if (claims.at_hash === undefined) return false
  const bits = /^(?:EdDSA|Ed25519)$/.test(alg) ? '512' : /(256|384|512)$/.exec(alg)?.[1]
  const digest = bits && AT_HASH_DIGESTS[bits]
  if (!digest) throw verificationFailed(`at_hash: no hash is defined for alg ${alg}`)
  const hash = createHash(digest).update(accessToken, 'ascii').digest()
  if (claims.at_hash !== hash.subarray(0, hash.length / 2).toString('base64url')) throw verificationFailed('at_hash: the ID token was not issued with this access token')
  return true
}

function describeJoseError(err: unknown, errors: typeof import('jose').errors): unknown {
  if (err instanceof errors.JWTExpired) return verificationFailed(`exp: the token expired (${err.reason})`)
  if (err instanceof errors.JWTClaimValidationFailed) return verificationFailed(`${err.claim}: ${err.reason} (${err.message})`)
  if (err instanceof errors.JWSSignatureVerificationFailed) return verificationFailed('signature does not match the issuer\'s key')
  if (err instanceof errors.JWKSNoMatchingKey) return verificationFailed('no key in the issuer\'s JWKS matches the token\'s kid and alg')
  if (err instanceof errors.JWKSMultipleMatchingKeys) return verificationFailed('several keys in the issuer\'s JWKS match the token')
  if (err instanceof errors.JOSEAlgNotAllowed) return verificationFailed(`alg: ${err.message}`)
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return verificationFailed(`not a valid JWS: ${err.message}`)
  if (err instanceof errors.JOSENotSupported) return verificationFailed(`unsupported: ${err.message}`)
  if (err instanceof errors.JOSEError) return verificationFailed(err.message)
  // A key the issuer publishes that cannot be used (RSA under 2048 bits, malformed key data): jose
  // and WebCrypto say so with a TypeError or a DOMException. The token is not verified: exit 4.
  if (err instanceof TypeError || err instanceof DOMException) return verificationFailed(`the issuer's key cannot be used: ${err.message}`)
  return err
}

async function readCachedJwks(path: string, now: number): Promise<JSONWebKeySet | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return undefined // no cache yet
  }
  const parsed = CachedJwksSchema.safeParse(safeJson(text))
  if (!parsed.success || now - parsed.data.fetchedAt > JWKS_CACHE_SECONDS) return undefined
  return parsed.data.jwks as JSONWebKeySet
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined // a torn or foreign cache file is simply not used
  }
}

async function fetchJwks(options: VerifyOptions, cachePath: string): Promise<JSONWebKeySet> {
  checkTransport(options.jwksUri, options.http.insecure, 'the JWKS URI')
  const res = await options.http.request({
    method: 'GET',
    url: options.jwksUri,
    what: 'JWKS endpoint',
    purpose: "JWKS: the issuer's public signing keys",
    headers: { accept: 'application/json' },
  })
  if (res.status !== 200) throw errorFromResponse(res, 'JWKS endpoint')
  const jwks = parseJson(res, JwksSchema, 'JWKS endpoint') as JSONWebKeySet
  await writeFileAtomic(cachePath, JSON.stringify({ fetchedAt: options.now(), jwks }), 0o600)
  return jwks
}
