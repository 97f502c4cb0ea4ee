import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT } from 'jose'
import { afterAll, beforeAll } from 'vitest'

export interface TokenCall {
  form: URLSearchParams
  authorization?: string
}

/**
 * A focused loopback authorization server for what oidc-provider does not offer: it publishes a
 * discovery document and a JWKS, signs whatever JWTs a test asks for (expired, wrong audience…),
 * and answers the token_exchange and jwt_bearer grants, recording each token request.
 */
export interface JwtIssuer {
  issuer: string
  privateKey: KeyObject
  publicJwk: Record<string, unknown>
  sign(claims: Record<string, unknown>, options?: { kid?: string; alg?: string; key?: KeyObject | Uint8Array; expiresIn?: string | number }): Promise<string>
  tokenCalls: TokenCall[]
  jwksRequests: number
  /** Replace the published keys (to test rotation and unknown kids). */
  publish(keys: Record<string, unknown>[]): void
  close(): Promise<void>
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString()))
    req.on('end', () => resolve(body))
  })

export async function startJwtIssuer(): Promise<JwtIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }
  let keys: Record<string, unknown>[] = [publicJwk]
  const tokenCalls: TokenCall[] = []
  let jwksRequests = 0
  let issuer = ''
  const server: Server = createServer(async (req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.url === '/.well-known/openid-configuration') {
      return json(200, { issuer, jwks_uri: `${issuer}/jwks`, token_endpoint: `${issuer}/token`, response_types_supported: ['code'] })
    }
    if (req.url === '/jwks') {
      jwksRequests++
      return json(200, { keys })
    }
    if (req.url === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req))
      tokenCalls.push({ form, authorization: req.headers.authorization })
      const grant = form.get('grant_type')
      if (grant === 'urn:ietf:params:oauth:grant-type:token-exchange' && form.get('subject_token')) {
        return json(200, { access_token: `exchanged-${tokenCalls.length}`, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 600 })
      }
      if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer' && form.get('assertion')) {
        return json(200, { access_token: `bearer-${tokenCalls.length}`, token_type: 'Bearer', expires_in: 600 })
      }
      return json(400, { error: 'unsupported_grant_type' })
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    issuer,
    privateKey,
    publicJwk,
    tokenCalls,
    get jwksRequests() {
      return jwksRequests
    },
    publish: (next) => {
      keys = next
    },
    sign: (claims, options = {}) => {
      const jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'ES256', kid: options.kid ?? 'k1' }).setIssuedAt()
      if (options.expiresIn !== undefined) jwt.setExpirationTime(options.expiresIn)
      return jwt.sign(options.key ?? privateKey)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** One issuer for the whole file, stopped after it. */
export function useJwtIssuer(set: (issuer: JwtIssuer) => void): void {
  let issuer: JwtIssuer | undefined
  beforeAll(async () => {
    issuer = await startJwtIssuer()
    set(issuer)
  })
  afterAll(async () => {
    await issuer?.close()
  })
}
