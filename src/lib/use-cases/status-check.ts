import type { z } from 'zod'
import { StatusCheckSchema } from '../documents/json-schemas.js'
import type { Profile } from '../config/schema.js'
import type { Edges } from './edges.js'
import { authRequired, CliError } from '../errors.js'
import { sanitizeInline } from '../output/sanitize.js'
import { redactText } from '../redact.js'
import { DEFAULT_MIN_TTL_SECONDS } from '../tokens/cache.js'
import { getToken, type GetTokenOptions } from './get-token.js'
import { openSession } from './session.js'
import type { TokenContext } from '../tokens/context.js'
import { introspect } from '../tokens/introspect.js'
import type { StoredToken } from '../tokens/token-set.js'
import { userInfo } from './userinfo.js'

export type StatusCheck = z.infer<typeof StatusCheckSchema>

/** Error codes that mean the server looked at the token or the credentials and said no: a login (or a new secret) is what helps. */
const REJECTIONS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client', 'invalid_token', 'refresh_rejected'])

/** Server text goes into the report: one line, no control characters, no secret. */
const cleanDetail = (text: string) => sanitizeInline(redactText(text))

const AUTO: GetTokenOptions = { grant: 'auto', scopes: [], minTtl: DEFAULT_MIN_TTL_SECONDS, force: false, params: {} }

const isOpenIdSession = (token: StoredToken) => token.id_token !== undefined || [token.scope ?? '', ...token.requested.scopes].join(' ').split(' ').includes('openid')

/**
 * `status --check`: the profile's token, got as `token get` would, shown to the server. Introspection
 * where the server has it and the client can authenticate (or the vendor's token-details call);
 * else userinfo for an OpenID session;
 * else a token request (client credentials or refresh), whose token is stored as `token get` stores
 * it: it is a real token, and the next `token get` may as well use it.
 */
export async function checkWithServer(name: string, profile: Profile, edges: Edges): Promise<{ check: StatusCheck; verdict?: CliError }> {
  const ctx: TokenContext = { profileName: name, profile, store: await edges.store(profile), http: await edges.http(), env: edges.env, configDir: edges.configDir, now: edges.now }
  let method: StatusCheck['method'] = 'token_request'
  try {
    const { token, source } = await getToken(AUTO, ctx)
    const session = await openSession(ctx)
    // RFC 7662 lets only an authenticated caller introspect: a public client asks userinfo instead.
    if (session.adapter.introspect || (session.as.introspection_endpoint && session.hasClientCredentials)) {
      method = 'introspection'
      const answer = await introspect(session, token.access_token)
      if (answer.active === true) return { check: { method, result: 'ok', active: true, detail: 'the server says the token is active' } }
      const detail = 'the server says the token is not active'
      return { check: { method, result: 'rejected', active: false, detail }, verdict: authRequired(`profile ${name}: ${detail}`, { code: 'token_inactive', hint: loginHint(name) }) }
    }
    if (session.as.userinfo_endpoint && isOpenIdSession(token)) {
      method = 'userinfo'
      const { claims } = await userInfo(ctx)
      return { check: { method, result: 'ok', detail: `the server answered for subject ${cleanDetail(String(claims.sub))}` } }
    }
    const issued = source === 'cache' ? (await getToken({ ...AUTO, force: true }, ctx)).source : source
    return { check: { method, result: 'ok', detail: `the server issued a token (${issued})` } }
  } catch (err) {
    if (!(err instanceof CliError)) throw err
    const detail = cleanDetail(err.message)
    const rejected = err.kind === 'auth_required' || REJECTIONS.has(err.code) || err.httpStatus === 401
    const check: StatusCheck = { method, result: rejected ? 'rejected' : 'failed', httpStatus: err.httpStatus, detail }
    if (!rejected) return { check, verdict: err }
    return { check, verdict: authRequired(`profile ${name}: the server refused: ${detail}`, { code: err.code, httpStatus: err.httpStatus, hint: loginHint(name), cause: err }) }
  }
}

const loginHint = (name: string) => `log in again (oauthctl login -p ${name}), or check the profile's client secret`
