import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

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
}

export interface Sandbox {
  issuer: string
  port: number
  clients: SandboxClient[]
  /** The resource server whose access tokens are JWTs (client credentials default to it). */
  resource: string
  /** A resource server whose access tokens are opaque (introspectable and revocable). */
  opaqueResource: string
  /** How many requests reached a path, e.g. `/token`: lets tests prove a cache hit sent nothing. */
  requestCount(path: string): number
  resetCounts(): void
  /**
   * Mint a refresh token as if the demo user had logged in with this client: lets tests (and
   * people trying refresh) skip the browser. The token is opaque and rotates on use.
   */
  issueRefreshToken(options: { clientId: string; accountId?: string; scope?: string; resource?: string }): Promise<string>
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
  const { default: Provider } = await import('oidc-provider').finally(restoreWarn)
  const server: Server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const issuer = `http://127.0.0.1:${port}`
  const resource = `${issuer}/api`
  const opaqueResource = `${issuer}/opaque`
  const clients = options.clients ?? demoClients()
  const ttl = options.accessTokenTtl ?? 3600
  const restore = silenceProviderWarnings()
  const provider = new Provider(issuer, {
    clients,
    jwks: signingKeys(),
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'api:read', 'api:write'],
    claims: { profile: ['name'], email: ['email'] },
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: id, name: id === DEMO_USER.id ? DEMO_USER.name : id, email: `${id}@example.test` }),
    }),
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      deviceFlow: { enabled: true },
      registration: { enabled: true, initialAccessToken: options.initialAccessToken ?? false, issueRegistrationAccessToken: true },
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
  server.on('request', provider.callback())
  return {
    issuer,
    port,
    clients,
    resource,
    opaqueResource,
    requestCount: (path) => counts.get(path) ?? 0,
    resetCounts: () => counts.clear(),
    issueRefreshToken: async ({ clientId, accountId = DEMO_USER.id, scope = 'openid offline_access api:read', resource: indicator = resource }) => {
      const client = await provider.Client.find(clientId)
      if (!client) throw new Error(`no sandbox client ${clientId}`)
      const grant = new provider.Grant({ accountId, clientId })
      grant.addOIDCScope(scope.split(' ').filter((s) => !s.includes(':')).join(' '))
      grant.addResourceScope(indicator, scope.split(' ').filter((s) => s.includes(':')).join(' '))
      const grantId = await grant.save()
      const token = new provider.RefreshToken({ client, accountId, grantId, scope, gty: 'authorization_code', resource: indicator, expiresIn: 86_400, expiresWithSession: false })
      return token.save()
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
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
