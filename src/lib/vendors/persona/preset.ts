import { randomUUID } from 'node:crypto'
import * as oauth from 'oauth4webapi'
import { z } from 'zod'
import type { Profile } from '../../config/schema.js'
import { authRequired, usageError } from '../../errors.js'
import { type ErrorBodyReader, parseJson } from '../../http/response.js'
import type { LoginFlowFn } from '../../login/types.js'
import { loadClientKey } from '../../oauth/client-key.js'
import { registerSecret } from '../../redact.js'
import { TokenResponseSchema } from '../../tokens/token-set.js'
import { baseFromTokenEndpoint } from '../hosts.js'
import { isSuccess, postTokenRequest, requireSecret, tokenEndpointWhat, vendorEndpoint, vendorError, vendorRequest } from '../http.js'
import type { VendorContext, VendorPreset } from '../types.js'

const PERSONA_BASE = 'https://api.withpersona.com/api/v1'
const TOKEN_PATH = '/oauth/token'
/** The API version these requests were written against (the OpenAPI spec's `info.version`). */
export const PERSONA_VERSION = '2023-01-05'

/** Persona's own request headers that `--param NAME=VALUE` sets (on `login`, `token get`, or the profile). */
const HEADER_PARAMETERS = ['Persona-Version', 'Key-Inflection']
const headerName = (parameter: string) => HEADER_PARAMETERS.find((h) => h.toLowerCase() === parameter.toLowerCase())

const personaBase = (profile: Pick<Profile, 'endpoints'>): string => baseFromTokenEndpoint(profile, TOKEN_PATH, PERSONA_BASE)

/** `{"errors": [{"title", "details"?, "source": {"pointer"}?}]}`: the first title is the error, the details say why. */
export const personaErrorBody: ErrorBodyReader = (body) => {
  const errors = (body as { errors?: unknown } | null)?.errors
  if (!Array.isArray(errors)) return undefined
  const items = errors.filter((e): e is { title: string; details?: unknown; source?: { pointer?: unknown } } => typeof e?.title === 'string')
  const first = items[0]
  if (!first) return undefined
  const details = items.flatMap((e) => {
    if (typeof e.details !== 'string') return []
    return [typeof e.source?.pointer === 'string' ? `${e.details} (${e.source.pointer})` : e.details]
  })
  return { error: first.title, description: details.length > 0 ? details.join('; ') : undefined }
}

/**
 * Response keys follow Key-Inflection: kebab by default, snake or camel on request, and snake
 * from servers older than the OAuth endpoints' support for the header. All become RFC 6749 names.
 */
export const snakeKeys = (body: unknown): unknown =>
  body && typeof body === 'object' && !Array.isArray(body)
    ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k.replaceAll('-', '_').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]))
    : body

const AuthorizationSchema = z.preprocess(snakeKeys, z.object({ code: z.string().min(1), expires_in: z.int().optional() }).loose())
const PersonaTokenSchema = z.preprocess(snakeKeys, TokenResponseSchema)

/**
 * Persona's headers for one POST, and the parameters left for its body: Persona-Version (ours
 * unless `--param Persona-Version=…`), snake_case answers (RFC 6749's own names, which the trace
 * redacts by name), and an Idempotency-Key that the HTTP layer's retries of this request reuse.
 */
export function personaRequest(parameters: URLSearchParams): { headers: Record<string, string>; body: URLSearchParams } {
  const headers: Record<string, string> = { 'Persona-Version': PERSONA_VERSION, 'Key-Inflection': 'snake', 'Idempotency-Key': randomUUID() }
  const body = new URLSearchParams()
  for (const [key, value] of parameters) {
    const header = headerName(key)
    if (header) headers[header] = value
    else body.append(key, value)
  }
  return { headers, body }
}

/** Persona's parameter spelling on the wire: `grant_type` is sent as `grant-type`. */
const kebab = (parameters: URLSearchParams) => new URLSearchParams([...parameters].map(([k, v]): [string, string] => [k.replaceAll('_', '-'), v]))

const apiKey = (ctx: VendorContext) => requireSecret(ctx, 'Persona API key (kept as its client secret)')

/**
 * The organisation-to-organisation code exchange (kebab keys, the API key as Bearer), or, on API
 * versions that have it, client credentials with a private_key_jwt assertion (OAuth's snake_case
 * names). Persona issues no refresh tokens.
 */
async function personaTokenRequest(ctx: VendorContext, grantType: string, parameters: URLSearchParams) {
  const url = vendorEndpoint(ctx, 'token', 'token-endpoint')
  const { headers, body } = personaRequest(parameters)
  const request = { url, what: tokenEndpointWhat(grantType), headers, readers: [personaErrorBody], schema: PersonaTokenSchema }
  if (grantType === 'authorization_code') {
    return postTokenRequest(ctx, { ...request, headers: { ...headers, authorization: `Bearer ${apiKey(ctx)}` }, body: { form: kebab(new URLSearchParams([['grant_type', grantType], ...body])) } })
  }
  if (grantType !== 'client_credentials') throw usageError(`Persona has no ${grantType} grant`, { code: 'unsupported_grant' })
  if (!ctx.profile.privateKeyPath) {
    throw authRequired('Persona issues no refresh token, and its client credentials grant needs a private key', {
      code: 'no_private_key',
      hint: 'run oauthctl login again, or give the profile --private-key FILE for client credentials (newer Persona-Version only)',
    })
  }
  const form = new URLSearchParams([['grant_type', grantType], ...body])
  const { key, kid } = await loadClientKey(ctx.profile.privateKeyPath)
  // RFC 7523 §3: the assertion's audience is the token endpoint; oauth4webapi takes it from `issuer`.
  await oauth.PrivateKeyJwt({ key, kid })({ issuer: url }, { client_id: ctx.profile.clientId ?? '' }, form, new Headers())
  return postTokenRequest(ctx, { ...request, body: { form } })
}

/**
 * `login` on Persona: no browser. The organisation's API key authorizes the client
 * (`client-id` = the recipient organisation) for `permission:object` scopes server to server,
 * and the code in the answer is exchanged at once.
 */
const personaLogin: LoginFlowFn = async (options, ctx) => {
  const vendor = ctx.session.adapterContext
  if (!options.parameters.get('scope')) {
    throw usageError('Persona authorizes permission:object pairs: give at least one --scope', { code: 'missing_scope', hint: 'e.g. --scope inquiry.read:inq_…' })
  }
  const url = vendorEndpoint(vendor, 'authorization', 'authorization-endpoint')
  const what = 'Persona authorization endpoint'
  const { headers, body } = personaRequest(options.parameters)
  const form = kebab(new URLSearchParams([['client_id', ctx.session.client.client_id], ['response_type', 'code'], ...body]))
  const res = await vendorRequest(ctx.http, {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${apiKey(vendor)}`, ...headers },
    body: form.toString(),
    // The Idempotency-Key makes a repeat return the first answer, not a second code.
    retry: 'safe',
    what,
    signal: ctx.signal,
  })
  if (!isSuccess(res)) throw vendorError(res, what, [personaErrorBody])
  const { code } = parseJson(res, AuthorizationSchema, what)
  registerSecret(code)
  // The headers chosen with --param apply to the exchange too.
  const exchange = new URLSearchParams([['code', code], ...[...options.parameters].filter(([key]) => headerName(key))])
  return { response: await ctx.session.grant('authorization_code', exchange), grant: 'authorization_code' }
}

/**
 * Persona (https://api.withpersona.com/api/v1): OAuth between organisations, not user login.
 * The profile's client id is the organisation being authorized (`org_…`) and its client secret is
 * the API key that authenticates both requests. Form keys are kebab-case; every POST carries
 * Persona-Version, Key-Inflection and an Idempotency-Key. No revocation or introspection exists.
 */
export const personaPreset: VendorPreset = {
  endpoints: (profile) => {
    const base = personaBase(profile)
    return { authorization: `${base}/oauth/authorize`, token: `${base}${TOKEN_PATH}` }
  },
  errorReaders: [personaErrorBody],
  tokenRequest: personaTokenRequest,
  loginFlow: personaLogin,
}
