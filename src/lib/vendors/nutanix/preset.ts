import * as oauth from 'oauth4webapi'
import { z } from 'zod'
import type { Profile } from '../../config/schema.js'
import { authRequired, badResponse, OAuthError, usageError } from '../../errors.js'
import type { HttpResponse } from '../../http/client.js'
import { type ErrorBodyReader, parseJson } from '../../http/response.js'
import type { LoginFlowFn } from '../../login/types.js'
import { registerSecret } from '../../redact.js'
import { secretKeys } from '../../storage/keys.js'
import type { SecretStore } from '../../storage/types.js'
import { hostOrigin } from '../hosts.js'
import { isSuccess, vendorEndpoint, vendorError, vendorRequest } from '../http.js'
import type { VendorContext, VendorPreset } from '../types.js'

/** Prism Central's port, unless the host names another. */
const PRISM_PORT = 9440

/** `https://HOST:9440/api/nutanix/v3` from the profile's host: `HOST`, `HOST:PORT`, or an explicit origin such as a local test server. */
export function nutanixBase(profile: Pick<Profile, 'host'>): string {
  if (!profile.host) throw usageError('the profile has no Nutanix Prism Central host', { code: 'no_host', hint: 'oauthctl profiles add NAME --provider nutanix --host prism.example.com' })
  return `${hostOrigin(profile.host, 'the Nutanix host', PRISM_PORT)}/api/nutanix/v3`
}

/** The v3 error envelope `{api_version, code, kind, message_list[{message, reason}], state}`, also nested under `status`. */
export const nutanixErrorBody: ErrorBodyReader = (body) => {
  const outer = body as { status?: unknown } | null
  const b = (outer && typeof outer.status === 'object' ? outer.status : outer) as { message_list?: unknown; state?: unknown } | null
  if (!b || !Array.isArray(b.message_list)) return undefined
  const messages = b.message_list as Array<{ message?: unknown; reason?: unknown }>
  const reason = messages.map((m) => m?.reason).find((r): r is string => typeof r === 'string')
  const text = messages.map((m) => m?.message).filter((m): m is string => typeof m === 'string')
  return { error: reason ?? (typeof b.state === 'string' ? b.state : 'ERROR'), description: text.length > 0 ? text.join('; ') : undefined }
}

/** `OauthStatus`: what authorize and revoke_token answer. A non-empty message_list says why not. */
const OauthStatusSchema = z
  .object({
    kind: z.string().optional(),
    code: z.int().optional(),
    state: z.string().optional(),
    api_version: z.string().optional(),
    message_list: z.array(z.object({ message: z.string().optional(), reason: z.string().optional() }).loose()).optional(),
  })
  .loose()

/** Where the Prism user's password is found: OAUTHCTL_ADMIN_PASSWORD, secret storage, else a prompt. */
export interface PrismUser {
  profile: Pick<Profile, 'username'>
  env: NodeJS.ProcessEnv
  profileName?: string
  store?: () => Promise<SecretStore>
  promptSecret?: (message: string) => Promise<string>
}

/** Prism answers bad credentials with a 401 that is often not JSON: say what to check. */
export const prismRefusedHint = (profileName?: string) =>
  `Prism Central refused the credentials: check the profile's username and the admin password ${profileName ? `of profile ${profileName}` : '(OAUTHCTL_ADMIN_PASSWORD)'}`

/** `Authorization: Basic …` for the profile's Prism user, which every v3 OAuth operation but the token endpoint takes. */
export async function prismAuthorization(user: PrismUser): Promise<string> {
  const profile = user.profileName === undefined ? 'the profile' : `profile ${user.profileName}`
  const username = user.profile.username
  if (!username) throw usageError(`${profile} has no Nutanix user name`, { code: 'no_username', hint: 'oauthctl profiles add NAME --username USER (the Prism Central user)' })
  const password =
    user.env.OAUTHCTL_ADMIN_PASSWORD ||
    (user.store && user.profileName !== undefined ? await (await user.store()).get(secretKeys.adminPassword(user.profileName)) : undefined) ||
    (await user.promptSecret?.(`Prism Central password for ${username}`))
  if (!password) {
    throw authRequired(`no Prism Central password for ${profile}`, {
      code: 'no_admin_password',
      hint: 'set OAUTHCTL_ADMIN_PASSWORD, or store it with oauthctl profiles add NAME --password-stdin',
    })
  }
  registerSecret(password)
  const encoded = Buffer.from(`${username}:${password}`).toString('base64')
  registerSecret(encoded)
  return `Basic ${encoded}`
}

/** The Prism user of a hook's profile: password from OAUTHCTL_ADMIN_PASSWORD, else secret storage. */
function prismUser(ctx: VendorContext): PrismUser {
  const secrets = ctx.secrets
  if (!secrets) return { profile: ctx.profile, env: process.env } // a session built without a store
  return { profile: ctx.profile, env: secrets.env, profileName: secrets.profileName, store: async () => secrets.store }
}

/**
 * The code from Prism's answer to `POST /oauth/authorize`: a redirect to `redirect_uri?code=…&state=…`,
 * or an `OauthStatus`, which either says why not (declined) or carries no code at all.
 */
function authorizationCode(res: HttpResponse, state: string, what: string): string {
  const location = res.status >= 300 && res.status < 400 ? res.headers.location : undefined
  if (location) {
    const params = new URL(location, res.url).searchParams
    const error = params.get('error')
    if (error) throw new OAuthError(error, params.get('error_description') ?? undefined, res.status)
    if (params.get('state') !== state) throw badResponse(`${what} redirected with another state: not this login's answer`, { code: 'state_mismatch' })
    const code = params.get('code')
    if (!code) throw badResponse(`${what} redirected without a code`, { code: 'no_code' })
    return code
  }
  if (!isSuccess(res)) throw vendorError(res, what, [nutanixErrorBody], res.status === 401 ? prismRefusedHint() : undefined)
  const status = parseJson(res, OauthStatusSchema, what)
  const refusal = status.message_list?.length ? nutanixErrorBody(status) : undefined
  if (refusal) throw new OAuthError(refusal.error, refusal.description, res.status)
  throw badResponse(`${what} accepted the authorization but sent no code (status ${res.status}, no redirect)`, {
    code: 'no_code',
    hint: 'this Prism Central gives the code to a browser only; oauthctl token generate issues a token with the Prism user instead',
  })
}

/**
 * `login` on Prism Central: no browser. The Prism user (Basic) approves the request itself with
 * `confirm=yes`; the code in the answer is exchanged at the token endpoint with the client's
 * credentials (client_secret_post).
 */
const nutanixLogin: LoginFlowFn = async (options, ctx) => {
  const { session, http } = ctx
  const vendor = session.adapterContext
  const url = vendorEndpoint(vendor, 'authorization', 'authorization-endpoint')
  const what = 'Prism Central authorization endpoint'
  const state = oauth.generateRandomState()
  // Optional here; named when the profile has a port (the client's registered loopback URI). Prism
  // answers this request itself, so nothing listens there.
  const { redirect } = options
  const redirectUri = redirect?.port === undefined ? undefined : `http://${redirect.host}:${redirect.port}${redirect.path}`
  const form = new URLSearchParams(options.parameters)
  for (const [key, value] of Object.entries({ client_id: session.client.client_id, response_type: 'code', confirm: 'yes', state })) form.set(key, value)
  if (redirectUri) form.set('redirect_uri', redirectUri)
  const res = await vendorRequest(http, {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: await prismAuthorization(prismUser(vendor)) },
    body: form.toString(),
    what,
    signal: ctx.signal,
  })
  const code = authorizationCode(res, state, what)
  registerSecret(code)
  const exchange = new URLSearchParams({ code, state })
  if (redirectUri) exchange.set('redirect_uri', redirectUri)
  return { response: await session.grant('authorization_code', exchange), grant: 'authorization_code' }
}

/**
 * Nutanix Prism Central v3 (`https://HOST:9440/api/nutanix/v3`). The token endpoint is standard
 * with client_secret_post; authorize, revoke_token (token in the query) and generate_token take
 * the Prism user's Basic credentials. `idp_login`, `idp_callback` and `adfs_login` are Prism's
 * own browser sign-in: a terminal tool never calls them.
 */
export const nutanixPreset: VendorPreset = {
  endpoints: (profile) => {
    const base = nutanixBase(profile)
    return { authorization: `${base}/oauth/authorize`, token: `${base}/oauth/token`, revocation: `${base}/oauth/revoke_token` }
  },
  defaultAuthMethod: 'client_secret_post',
  errorReaders: [nutanixErrorBody],
  loginFlow: nutanixLogin,

  revoke: async (ctx, token, typeHint) => {
    const url = new URL(vendorEndpoint(ctx, 'revocation', 'revocation-endpoint'))
    url.searchParams.set('token', token)
    url.searchParams.set('token_type_hint', typeHint ?? 'access_token')
    const what = 'Prism Central token revocation'
    const res = await vendorRequest(ctx.http, {
      method: 'POST',
      url: url.href,
      headers: { authorization: await prismAuthorization(prismUser(ctx)) },
      what,
      retry: 'safe',
    })
    if (!isSuccess(res)) throw vendorError(res, what, [nutanixErrorBody], res.status === 401 ? prismRefusedHint(ctx.secrets?.profileName) : undefined)
    parseJson(res, OauthStatusSchema, what)
  },
}
