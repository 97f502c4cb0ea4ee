import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HttpClient } from '../../src/lib/http/client.js'
import { verifyJwt } from '../../src/lib/tokens/verify.js'
import { type JwtIssuer, useJwtIssuer } from '../fakes/jwt-issuer.js'

/** The JWKS disk cache of verifyJwt: jose's exported remote JWKS cache, in a 0600 file. */
let issuer: JwtIssuer
let cacheDir: string
const http = new HttpClient({ requestTimeoutMs: 2_000 })

useJwtIssuer((i) => (issuer = i))
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'oauthctl-jwks-'))
  issuer.publish([issuer.publicJwk])
})
afterEach(() => rm(cacheDir, { recursive: true, force: true }))
afterAll(() => http.close())

const nowSeconds = () => Math.floor(Date.now() / 1000)
const verify = async (kid = 'k1', key = issuer.privateKey) =>
  verifyJwt(await issuer.sign({ iss: issuer.issuer, aud: 'api', sub: 'someone' }, { kid, key, expiresIn: '10m' }), {
    issuer: issuer.issuer,
    jwksUri: `${issuer.issuer}/jwks`,
    audience: 'api',
    http,
    cacheDir,
    now: nowSeconds,
  })
const cacheFile = async () => {
  const [file] = (await readdir(cacheDir)).filter((name) => name.startsWith('jwks-'))
  if (!file) throw new Error('no JWKS cache file')
  return join(cacheDir, file)
}
const fetches = async (work: () => Promise<unknown>) => {
  const before = issuer.jwksRequests
  await work()
  return issuer.jwksRequests - before
}

describe('JWKS disk cache', () => {
  it('keeps jose\'s exported cache ({uat, jwks}) in a 0600 file, and the next verification fetches nothing', async () => {
    const started = Date.now()
    expect(await fetches(verify)).toBe(1)
    const file = await cacheFile()
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const cached = JSON.parse(await readFile(file, 'utf8'))
    expect(cached).toEqual({ uat: expect.any(Number), jwks: { keys: [issuer.publicJwk] } })
    expect(cached.uat).toBeGreaterThanOrEqual(started)
    expect(await fetches(verify)).toBe(0)
  })

  it('trusts a fresh cache without fetching, and fetches a stale one (over 24 h) again', async () => {
    await verify()
    const file = await cacheFile()
    issuer.publish([])
    await writeFile(file, JSON.stringify({ uat: Date.now() - 23 * 3600_000, jwks: { keys: [issuer.publicJwk] } }))
    expect(await fetches(verify)).toBe(0)
    issuer.publish([issuer.publicJwk])
    await writeFile(file, JSON.stringify({ uat: Date.now() - 25 * 3600_000, jwks: { keys: [] } }))
    expect(await fetches(verify)).toBe(1)
    expect(JSON.parse(await readFile(file, 'utf8')).jwks.keys).toEqual([issuer.publicJwk])
  })

  it('fetches again once when a token names a key the fresh cache lacks, and keeps the new set', async () => {
    await verify()
    const rotated = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const k2 = { ...rotated.publicKey.export({ format: 'jwk' }), kid: 'k2', alg: 'ES256', use: 'sig' }
    issuer.publish([issuer.publicJwk, k2])
    expect(await fetches(() => verify('k2', rotated.privateKey))).toBe(1)
    expect(JSON.parse(await readFile(await cacheFile(), 'utf8')).jwks.keys).toEqual([issuer.publicJwk, k2])
    expect(await fetches(() => verify('k2', rotated.privateKey))).toBe(0)
  })

  it('an unknown kid costs one fetch with no cache, and one more with a cache: never a loop', async () => {
    expect(await fetches(() => expect(verify('nowhere')).rejects.toMatchObject({ exitCode: 4, message: expect.stringMatching(/no key in the issuer's JWKS/) }))).toBe(1)
    expect(await fetches(() => expect(verify('nowhere')).rejects.toMatchObject({ exitCode: 4 }))).toBe(1)
  })
})
