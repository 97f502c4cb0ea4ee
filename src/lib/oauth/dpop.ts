import { createHash, randomBytes } from 'node:crypto'
import type { JWK } from 'jose'
import type { CryptoKeyPair } from 'oauth4webapi'
import { z } from 'zod'
import { usageError } from '../errors.js'
import { registerSecret } from '../redact.js'
import { secretKeys } from '../storage/keys.js'
import type { SecretStore } from '../storage/types.js'

/** RFC 9449 keys are ES256 here: every DPoP server supports it, and oidc-provider lists it first. */
const DPOP_ALG = 'ES256'

/** The stored private key: a P-256 JWK (it carries the public coordinates too). */
const DpopJwkSchema = z.looseObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string(), d: z.string() })

export interface DpopKeyContext {
  profileName: string
  store: SecretStore
  configDir: string
}

/**
 * The profile's DPoP key pair, from secret storage; created and stored on first use. Creation runs
 * under a lock, so that parallel first uses agree on one key (a token is bound to exactly one).
 */
export async function dpopKeyPair(ctx: DpopKeyContext): Promise<CryptoKeyPair> {
  const stored = await readDpopJwk(ctx.store, ctx.profileName)
  if (stored) return importKeyPair(stored)
  const create = async () => (await readDpopJwk(ctx.store, ctx.profileName)) ?? (await createDpopJwk(ctx))
  if (ctx.store.kind === 'none') return importKeyPair(await create())
  const { withLock } = await import('../lock.js')
  return importKeyPair(await withLock(ctx.configDir, `dpop-key-${ctx.profileName}`, create))
}

/** The JWK thumbprint (RFC 7638) of the profile's stored DPoP key, which `cnf.jkt` names; none when no key exists yet. */
export async function storedDpopThumbprint(store: SecretStore, profileName: string): Promise<string | undefined> {
  const jwk = await readDpopJwk(store, profileName)
  if (!jwk) return undefined
  const { calculateJwkThumbprint } = await import('jose')
  return calculateJwkThumbprint(publicJwk(jwk))
}

async function readDpopJwk(store: SecretStore, profileName: string): Promise<JWK | undefined> {
  const value = await store.get(secretKeys.dpopKey(profileName))
  if (!value) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    parsed = undefined
  }
  const result = DpopJwkSchema.safeParse(parsed)
  // Replacing it silently would unbind every token and refresh token issued for it: say so instead.
  if (!result.success) throw usageError(`the stored DPoP key of profile ${profileName} is not a P-256 private JWK`, { code: 'dpop_key_invalid', hint: `oauthctl profiles remove ${profileName} clears it (with the profile's tokens)` })
  registerSecret(result.data.d)
  return result.data
}

async function createDpopJwk(ctx: DpopKeyContext): Promise<JWK> {
  const { exportJWK, generateKeyPair } = await import('jose')
  const { privateKey } = await generateKeyPair(DPOP_ALG, { extractable: true })
  const jwk = await exportJWK(privateKey)
  registerSecret(jwk.d)
  await ctx.store.set(secretKeys.dpopKey(ctx.profileName), JSON.stringify(jwk))
  return jwk
}

const publicJwk = ({ kty, crv, x, y }: JWK): JWK => ({ kty, crv, x, y })

async function importKeyPair(jwk: JWK): Promise<CryptoKeyPair> {
  const { importJWK } = await import('jose')
  // oauth4webapi puts the public key in each proof's header, so it must be extractable; the private key need not be.
  const [privateKey, publicKey] = await Promise.all([importJWK(jwk, DPOP_ALG, { extractable: false }), importJWK(publicJwk(jwk), DPOP_ALG, { extractable: true })])
  return { privateKey, publicKey } as CryptoKeyPair
}

export interface ProofTarget {
  /** HTTP method of the request the proof is for. */
  htm: string
  /** Its URL; query and fragment are not part of `htu` (RFC 9449 §4.2). */
  htu: string
  /** Binds the proof to this access token (`ath`), for a request that presents it. */
  accessToken?: string
  /** A nonce the server issued (`DPoP-Nonce`). */
  nonce?: string
}

/**
 * A DPoP proof for one request that oauth4webapi does not send for us: a resource request
 * (`token get --dpop-proof`, `exec --htu`) or a revocation or introspection request.
 */
export async function createDpopProof(keyPair: CryptoKeyPair, target: ProofTarget): Promise<string> {
  const { SignJWT, exportJWK } = await import('jose')
  const url = new URL(target.htu)
  return new SignJWT({
    htm: target.htm,
    htu: `${url.origin}${url.pathname}`,
    jti: randomBytes(16).toString('base64url'),
    ...(target.accessToken && { ath: createHash('sha256').update(target.accessToken).digest('base64url') }),
    ...(target.nonce && { nonce: target.nonce }),
  })
    .setProtectedHeader({ alg: DPOP_ALG, typ: 'dpop+jwt', jwk: publicJwk(await exportJWK(keyPair.publicKey)) })
    .setIssuedAt()
    .sign(keyPair.privateKey)
}
