import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose'
import { importEsm } from '../esm-import.cjs'

/** oidc-provider client metadata, as far as the sandbox reads it. */
export interface SandboxClient {
  client_id: string
  client_secret?: string
  token_endpoint_auth_method?: string
  grant_types?: string[]
  response_types?: string[]
  redirect_uris?: string[]
  application_type?: 'web' | 'native'
  [key: string]: unknown
}

export interface SandboxOptions {
  port?: number
  clients?: SandboxClient[]
  /** Lifetime of access tokens, seconds. */
  accessTokenTtl?: number
  /** Dynamic registration (RFC 7591) requires this initial access token when set. */
  initialAccessToken?: string
  /** DPoP proofs (RFC 9449) must carry a nonce the server issued; without one the answer is use_dpop_nonce. */
  dpopNonces?: boolean
  /** The metadata says require_pushed_authorization_requests: every authorization request must be pushed (RFC 9126). */
  requirePushedAuthorizationRequests?: boolean
  /** Accept request objects (JAR, RFC 9101); a client with require_signed_request_object must send one. */
  requestObjects?: boolean
  /** Rich authorization request types to accept (RFC 9396); the details go with the grant and its tokens, and introspection shows them. */
  authorizationDetailsTypes?: string[]
  /**
   * Serve https with this certificate (PEM). With `clientCa`, mutual TLS (RFC 8705) as well: a
   * second listener asks for client certificates (verified against `clientCa`, or self-signed) and
   * is published as the metadata's mtls_endpoint_aliases; the first never asks for one.
   */
  tls?: { cert: string; key: string; clientCa?: string }
}

export interface Sandbox {
  issuer: string
  port: number
  clients: SandboxClient[]
  /** The resource server whose access tokens are JWTs (client credentials default to it). */
  resource: string
  /** A resource server whose access tokens are opaque (introspectable and revocable). */
  opaqueResource: string
  /** The origin of the mutual-TLS listener, when `tls.clientCa` was given. */
  mtlsOrigin?: string
  /** How many requests reached a path, e.g. `/token`: lets tests prove a cache hit sent nothing. */
  requestCount(path: string): number
  resetCounts(): void
  /** The oidc-provider instance behind it, for code that embeds the sandbox (the tests mint grants with it). */
  provider: SandboxProvider
  close(): Promise<void>
}

export const DEMO_USER = { id: 'demo', name: 'Demo User', email: 'demo@example.test' }

const loopbackRedirects = ['http://127.0.0.1/callback', 'http://localhost/callback']

/** The demo clients: confidential (basic and post), public with PKCE, and device. */
export const demoClients = (): SandboxClient[] => [
  {
    client_id: 'demo-confidential',
    client_secret: 'demo-confidential-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: loopbackRedirects,
    application_type: 'native',
  },
  {
    client_id: 'demo-post',
    client_secret: 'demo-post-secret',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: 'demo-public',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: loopbackRedirects,
    application_type: 'native',
  },
  {
    client_id: 'demo-device',
    token_endpoint_auth_method: 'none',
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    response_types: [],
    redirect_uris: [],
    application_type: 'native',
  },
]

function signingKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })
  return { keys: [{ ...rsa, kid: 'sandbox-rs256', alg: 'RS256', use: 'sig' }, { ...ec, kid: 'sandbox-es256', alg: 'ES256', use: 'sig' }] }
}

/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1 with demo clients and a demo user, for
 * trying oauthctl without an account and for tests. Access tokens for the sandbox resource are
 * JWTs, so `token inspect` has something to decode.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const restoreWarn = silenceProviderWarnings()
  const { default: Provider } = await importEsm<typeof import('oidc-provider')>('oidc-provider').finally(restoreWarn)
  const { tls } = options
  const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }) : createServer()
  const port = await listen(server, options.port ?? 0)
  const issuer = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`
  // rejectUnauthorized off: a self-signed client certificate must reach oidc-provider, which judges it.
  const mtlsServer = tls?.clientCa ? createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.clientCa, requestCert: true, rejectUnauthorized: false }) : undefined
  const mtlsOrigin = mtlsServer && `https://127.0.0.1:${await listen(mtlsServer, 0)}`
  const resource = `${issuer}/api`
  const opaqueResource = `${issuer}/opaque`
  const clients = options.clients ?? demoClients()
  const ttl = options.accessTokenTtl ?? 3600
  const advanced = advancedConfiguration(options, mtlsOrigin)
  const jwks = signingKeys()
  const restore = silenceProviderWarnings()
  const provider = new Provider(issuer, {
    clients,
    jwks,
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'api:read', 'api:write'],
    claims: { profile: ['name'], email: ['email'] },
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: id, name: id === DEMO_USER.id ? DEMO_USER.name : id, email: `${id}@example.test` }),
    }),
    ...advanced.configuration,
    features: {
      ...advanced.features,
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      deviceFlow: { enabled: true },
      registration: {
        enabled: true,
        initialAccessToken: options.initialAccessToken ?? false,
        issueRegistrationAccessToken: true,
        // Not oidc-provider's nanoid: its alphabet has '-', and 1 id in 64 started with it, which a
        // command line reads as a flag (`clients get -Xy…` needs `--`).
        idFactory: () => `client-${randomBytes(16).toString('hex')}`,
      },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        // `/api` gets JWT access tokens (to inspect and verify), `/opaque` opaque ones (to introspect and revoke).
        getResourceServerInfo: (_ctx: unknown, indicator: string) =>
          indicator === opaqueResource
            ? { scope: 'api:read api:write', audience: opaqueResource, accessTokenFormat: 'opaque', accessTokenTTL: ttl }
            : { scope: 'api:read api:write', audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt: { sign: { alg: 'RS256' } } },
      },
    },
    pkce: { required: () => true },
    rotateRefreshToken: true,
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    ttl: { AccessToken: ttl, ClientCredentials: ttl, IdToken: 3600, RefreshToken: 86_400, DeviceCode: 600, Interaction: 600, Session: 86_400, Grant: 86_400 },
  })
  restore()
  const counts = new Map<string, number>()
  provider.use(async (ctx, next) => {
    counts.set(ctx.path, (counts.get(ctx.path) ?? 0) + 1)
    await next()
  })
  provider.use(structuredTokenEndpoints(provider, issuer, jwks) as unknown as Middleware)
  server.on('request', provider.callback())
  mtlsServer?.on('request', provider.callback())
  return {
    issuer,
    port,
    clients,
    resource,
    opaqueResource,
    mtlsOrigin,
    requestCount: (path) => counts.get(path) ?? 0,
    resetCounts: () => counts.clear(),
    provider,
    close: async () => {
      await Promise.all([server, mtlsServer].map((s) => s && closeServer(s)))
    },
  }
}

type ProviderInstance = InstanceType<typeof import('oidc-provider').default>
export type SandboxProvider = ProviderInstance
/** The part of a Koa context (oidc-provider's middleware) the sandbox's own endpoints use. */
interface KoaContext {
  method: string
  path: string
  req: IncomingMessage & { body?: string }
  is(type: string): string | false | null
  get(field: string): string
  set(field: string, value: string): void
  status: number
  body: unknown
}
type Middleware = Parameters<ProviderInstance['use']>[0]

const STRUCTURED_TOKEN_ROUTES = new Set(['/token/introspection', '/token/revocation'])
const PRIVATE_JWK_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi'])

/**
 * Introspection (RFC 7662) and revocation (RFC 7009) of the sandbox's JWT access tokens, which
 * oidc-provider refuses (unsupported_token_type: it keeps no record of them). The caller
 * authenticates as a client with a secret or as a public client, like at the token endpoint; a
 * token is active when its signature is the sandbox's, it has not expired, it was issued to the
 * caller and was not revoked. Anything that is not a JWT goes on to oidc-provider.
 */
function structuredTokenEndpoints(provider: ProviderInstance, issuer: string, jwks: { keys: Record<string, unknown>[] }) {
  const publicKeys = createLocalJWKSet({ keys: jwks.keys.map((k) => Object.fromEntries(Object.entries(k).filter(([name]) => !PRIVATE_JWK_MEMBERS.has(name)))) } as JSONWebKeySet)
  const revoked = new Set<string>()
  return async (ctx: KoaContext, next: () => Promise<void>) => {
    if (ctx.method !== 'POST' || !STRUCTURED_TOKEN_ROUTES.has(ctx.path) || !ctx.is('application/x-www-form-urlencoded')) return next()
    const raw = await readBody(ctx.req)
    const form = new URLSearchParams(raw)
    const token = form.get('token') ?? ''
    if (!isJwt(token)) {
      // The body is read: oidc-provider takes it from req.body (and warns once that it did).
      ctx.req.body = raw
      const restore = silenceProviderWarnings()
      try {
        return await next()
      } finally {
        restore()
      }
    }
    const caller = await authenticatedClient(provider, ctx.get('authorization'), form)
    ctx.set('cache-control', 'no-store')
    if (!caller) {
      ctx.status = 401
      ctx.body = { error: 'invalid_client', error_description: 'client authentication failed' }
      return
    }
    const claims = await jwtVerify(token, publicKeys, { issuer }).then(
      ({ payload }) => payload,
      () => undefined, // a bad signature or an expired token is simply not active
    )
    const ours = claims?.client_id === caller && typeof claims.jti === 'string'
    if (ctx.path === '/token/revocation') {
      if (ours) revoked.add(claims.jti!)
      ctx.status = 200
      ctx.body = ''
      return
    }
    ctx.body = ours && !revoked.has(claims.jti!) ? { active: true, token_type: 'Bearer', ...claims } : { active: false }
  }
}

const isJwt = (token: string) => {
  try {
    return Boolean(decodeProtectedHeader(token))
  } catch {
    return false
  }
}

/** The client id a request authenticates as: client_secret_basic, client_secret_post, or a public client by id. */
async function authenticatedClient(provider: ProviderInstance, authorization: string, form: URLSearchParams): Promise<string | undefined> {
  let id = form.get('client_id') ?? undefined
  let secret = form.get('client_secret') ?? undefined
  const basic = /^Basic\s+(\S+)$/i.exec(authorization)
  if (basic) {
    const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) return undefined
    id = decodeURIComponent(decoded.slice(0, colon))
    secret = decodeURIComponent(decoded.slice(colon + 1))
  }
  const client = (id ? await provider.Client.find(id) : undefined) as { clientId: string; clientSecret?: string; clientAuthMethod?: string } | undefined
  if (!client) return undefined
  const expected = client.clientSecret
  if (expected ? secret === expected : client.clientAuthMethod === 'none' && secret === undefined) return client.clientId
  return undefined
}

/** A form body of at most 64 KiB. */
async function readBody(req: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > 65_536) throw new Error('request body too large')
    chunks.push(Buffer.from(chunk as Buffer))
  }
  return Buffer.concat(chunks).toString('utf8')
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })

/** The client certificate of the request's TLS connection, when the listener asked for one. */
const peerCertificate = (ctx: { socket: TLSSocket }) => ctx.socket.getPeerX509Certificate?.()

interface RarContext {
  oidc: { params: { authorization_details?: string } }
}

/** oidc-provider settings for PAR, DPoP nonces, JAR, RAR and mTLS, as far as the options ask for them. */
function advancedConfiguration(options: SandboxOptions, mtlsOrigin: string | undefined): { configuration: Record<string, unknown>; features: Record<string, unknown> } {
  const configuration: Record<string, unknown> = {}
  const features: Record<string, unknown> = {}
  if (options.dpopNonces) features.dPoP = { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true }
  if (options.requirePushedAuthorizationRequests) features.pushedAuthorizationRequests = { enabled: true, requirePushedAuthorizationRequests: true }
  if (options.requestObjects) features.requestObjects = { enabled: true }
  if (options.authorizationDetailsTypes) {
    // Every detail of an accepted type is granted as asked: the sandbox has no policy to apply.
    const requested = (ctx: RarContext) => (ctx.oidc.params.authorization_details ? JSON.parse(ctx.oidc.params.authorization_details) : undefined)
    features.richAuthorizationRequests = {
      enabled: true,
      types: Object.fromEntries(options.authorizationDetailsTypes.map((type) => [type, { validate: () => undefined }])),
      authorizationDetailsForGrantSource: (ctx: RarContext) => requested(ctx),
      authorizationDetailsForAccessToken: (ctx: RarContext, _token: unknown, source?: { rar?: unknown }) => source?.rar ?? requested(ctx),
      authorizationDetailsForIntrospection: (_ctx: unknown, token: { rar?: unknown }) => token.rar,
    }
  }
  if (mtlsOrigin) {
    const endpoint = (path: string) => `${mtlsOrigin}${path}`
    configuration.discovery = {
      mtls_endpoint_aliases: {
        token_endpoint: endpoint('/token'),
        revocation_endpoint: endpoint('/token/revocation'),
        introspection_endpoint: endpoint('/token/introspection'),
        pushed_authorization_request_endpoint: endpoint('/request'),
        device_authorization_endpoint: endpoint('/device/auth'),
        userinfo_endpoint: endpoint('/me'),
      },
    }
    configuration.clientAuthMethods = ['none', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth']
    features.mTLS = {
      enabled: true,
      certificateBoundAccessTokens: true,
      tlsClientAuth: true,
      selfSignedTlsClientAuth: true,
      getCertificate: peerCertificate,
      certificateAuthorized: (ctx: { socket: TLSSocket }) => ctx.socket.authorized,
      certificateSubjectMatches: (ctx: { socket: TLSSocket }, property: string, expected: string) =>
        property === 'tls_client_auth_subject_dn' && peerCertificate(ctx)?.subject === expected,
    }
  }
  return { configuration, features }
}

/**
 * oidc-provider warns on import and construction that it runs with development settings
 * (in-memory store, dev login pages, a Node version it does not list): true, and the point of a
 * sandbox, so those lines are not shown. Returns the function that restores console.warn.
 */
function silenceProviderWarnings(): () => void {
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('oidc-provider WARNING')) warn(...args)
  }
  return () => {
    console.warn = warn
  }
}
