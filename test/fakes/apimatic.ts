import { randomBytes } from 'node:crypto'
import { basicCredentials, bearer, endpoint, type FakeServer, type FixtureResponse, fixtureResponse, json, jwtShaped, loadFixture, type RecordedRequest, redirect, sentRawBasic, startFake } from './fixtures.js'

/**
 * The APIMatic multi-auth sample server on 127.0.0.1, built from fixtures/apimatic.json, in its
 * `testing` layout: the API server (DEFAULT) at the origin, the auth server (AUTH) under
 * `/oauth2/auth-server`. Client credentials at AUTH `/request_token`; the code, password and
 * refresh grants at DEFAULT `/oauth2/non-auth-server/token`; every token request with Basic.
 * A profile reaches it with `host: http://127.0.0.1:PORT`.
 */
export const fixture = loadFixture('apimatic')

export const CLIENT_CREDENTIALS_PATH = `/oauth2/auth-server${endpoint(fixture, 'request_token_o_auth_ccg').path}`
export const TOKEN_PATH = endpoint(fixture, 'request_token_o_auth_acg').path
export const AUTHORIZE_PATH = endpoint(fixture, 'authorization_url').path

const [CLIENT_ID, CLIENT_SECRET] = basicCredentials({ authorization: endpoint(fixture, 'request_token_o_auth_ccg').request.headers?.Authorization }) as [string, string]
export const CLIENT = { clientId: CLIENT_ID, secret: CLIENT_SECRET }
const { username, password } = endpoint(fixture, 'request_token_o_auth_ropcg').request.body?.form as { username: string; password: string }
/** The resource owner of the fixture's password grant. */
export const USER = { username, password }
/** `OAuthScopeOAuthACGEnum`: the one scope the sample knows. */
export const SCOPE = (fixture.enums as { OAuthScopeOAuthACGEnum: string[] }).OAuthScopeOAuthACGEnum[0] as string

const error = (status: number, code: string, description?: string): FixtureResponse => json(status, { error: code, ...(description ? { error_description: description } : {}) })

export interface ApimaticFake extends FakeServer {
  tokens: Set<string>
  options: {
    /** The user declines at the authorization endpoint. */
    deny: boolean
    /** This client may not use the password grant (the fixture's 401 unauthorized_client). */
    noPassword: boolean
    /** The one registered client (default: the fixture's). */
    client: { clientId: string; secret: string }
  }
}

export async function startApimaticFake(): Promise<ApimaticFake> {
  const tokens = new Set<string>()
  const refreshTokens = new Set<string>()
  const codes = new Map<string, string>()
  const options: ApimaticFake['options'] = { deny: false, noPassword: false, client: CLIENT }

  /** `OAuthToken`, with a JWT-shaped access token as in the fixture. */
  function issue(scope: string | undefined, withRefresh: boolean): FixtureResponse {
    const accessToken = jwtShaped({ sub: options.client.clientId, scope, jti: randomBytes(6).toString('hex'), exp: Math.floor(Date.now() / 1000) + 3600 })
    tokens.add(accessToken)
    const body: Record<string, unknown> = { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, ...(scope ? { scope } : {}) }
    if (withRefresh) {
      const refreshToken = `rt_${randomBytes(9).toString('hex')}`
      refreshTokens.add(refreshToken)
      body.refresh_token = refreshToken
    }
    return json(200, body)
  }

  /** RFC 6749 §5.2 errors, the six of OAuthProviderErrorEnum; both token endpoints take Basic only. */
  function tokenRequest(req: RecordedRequest, server: 'AUTH' | 'DEFAULT'): FixtureResponse {
    // "Basic auth format": base64(client_id:client_secret), compared byte for byte.
    if (!sentRawBasic(req.headers, options.client.clientId, options.client.secret) || req.form?.client_secret) return fixtureResponse(fixture, 'request_token_o_auth_ccg', 401)
    const form = req.form ?? {}
    if (!form.grant_type) return error(400, 'invalid_request', 'grant_type is required')
    if (form.scope !== undefined && form.scope !== SCOPE) return fixtureResponse(fixture, 'request_token_o_auth_ccg', 400)
    if (server === 'AUTH') return form.grant_type === 'client_credentials' ? issue(form.scope ?? SCOPE, false) : error(400, 'unsupported_grant_type')
    switch (form.grant_type) {
      case 'authorization_code':
        if (codes.get(form.code ?? '') !== form.redirect_uri) return fixtureResponse(fixture, 'request_token_o_auth_acg', 400)
        codes.delete(form.code as string)
        return issue(SCOPE, true)
      case 'password':
        if (options.noPassword) return fixtureResponse(fixture, 'request_token_o_auth_ropcg', 401)
        if (form.username !== USER.username || form.password !== USER.password) return error(400, 'invalid_grant', 'Invalid resource owner credentials')
        return issue(form.scope ?? SCOPE, true)
      case 'refresh_token':
        if (!refreshTokens.delete(form.refresh_token ?? '')) return fixtureResponse(fixture, 'refresh_token_o_auth_acg', 400)
        return issue(form.scope ?? SCOPE, true)
      default:
        return fixtureResponse(fixture, 'request_token_o_auth_ropcg', 400)
    }
  }

  function authorize(req: RecordedRequest): FixtureResponse {
    const { response_type: responseType, client_id: clientId, redirect_uri: redirectUri, state = '' } = req.query
    if (clientId !== options.client.clientId || !redirectUri?.startsWith('http://127.0.0.1:')) return error(400, 'invalid_request', 'unknown client or redirect_uri')
    if (options.deny) return redirect(redirectUri, { error: 'access_denied', state })
    if (responseType !== 'code') return redirect(redirectUri, { error: 'unsupported_response_type', state })
    const code = `ac_${randomBytes(6).toString('hex')}`
    codes.set(code, redirectUri)
    return redirect(redirectUri, { code, state })
  }

  /** The sample's protected probes: ServiceStatus for a client-credentials token, User for a user's. */
  function probe(req: RecordedRequest): FixtureResponse {
    if (!tokens.has(bearer(req.headers) ?? '')) return error(401, 'invalid_token')
    return fixtureResponse(fixture, req.path.endsWith('/status') ? 'probe.client_credentials' : 'probe.user')
  }

  function handle(req: RecordedRequest): FixtureResponse {
    if (req.method === 'POST' && req.path === CLIENT_CREDENTIALS_PATH) return tokenRequest(req, 'AUTH')
    if (req.method === 'POST' && req.path === TOKEN_PATH) return tokenRequest(req, 'DEFAULT')
    if (req.method === 'GET' && req.path === AUTHORIZE_PATH) return authorize(req)
    if (req.method === 'GET' && (req.path === '/oauth2/non-auth-server/status' || req.path === '/oauth2/non-auth-server/user')) return probe(req)
    return error(404, 'not_found')
  }

  const server = await startFake(handle, () => false)
  return Object.assign(server, { tokens, options })
}
