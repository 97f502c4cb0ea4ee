import type { z } from 'zod'
import type { Endpoints } from '../config/schema.js'
import { authRequired, type CliError, usageError, withHint } from '../errors.js'
import type { HttpClient, HttpRequest, HttpResponse } from '../http/client.js'
import { type ErrorBodyReader, errorFromResponse, oauthErrorBody, parseJson } from '../http/response.js'
import { checkTransport } from '../http/transport.js'
import { type TokenResponse, TokenResponseSchema } from '../tokens/token-set.js'
import type { VendorContext } from './types.js'

/**
 * The requests vendor hooks send themselves, where the standard (oauth4webapi) request does not
 * fit: over the one HTTP layer, with the same transport rule, error readers and schemas.
 */

/** One of the profile's effective endpoints, or exit 2 naming the flag that sets it. */
export function vendorEndpoint(ctx: Pick<VendorContext, 'endpoints'>, which: keyof Endpoints, flag: string): string {
  const url = ctx.endpoints[which]
  if (!url) throw usageError(`the profile has no ${which} endpoint`, { code: 'no_endpoint', hint: `oauthctl profiles add NAME --${flag} URL` })
  return url
}

/** The client secret a vendor request carries itself, or exit 3 saying where it comes from. */
export function requireSecret(ctx: Pick<VendorContext, 'secret'>, what: string): string {
  if (!ctx.secret) {
    throw authRequired(`the profile has no ${what}`, { code: 'no_client_secret', hint: 'store it with oauthctl profiles add NAME --client-secret-stdin, or set OAUTHCTL_CLIENT_SECRET' })
  }
  return ctx.secret.value
}

/** A non-2xx response as its error: RFC 6749 bodies first, then the vendor's shapes (as OAuthSession reads them). */
export const vendorError = (res: HttpResponse, what: string, readers: ErrorBodyReader[], hint?: string): CliError =>
  withHint(errorFromResponse(res, what, [oauthErrorBody, ...readers]), hint)

export const isSuccess = (res: HttpResponse) => res.status >= 200 && res.status < 300

/** One of a vendor's own requests: under the transport rule the standard ones follow, asking for JSON, which every vendor answers. */
export function vendorRequest(http: HttpClient, req: HttpRequest & { url: string; what: string }): Promise<HttpResponse> {
  checkTransport(req.url, http.insecure, `the ${req.what}`)
  return http.request({ ...req, headers: { accept: 'application/json', ...req.headers } })
}

/** How messages name a token request, as OAuthSession names its own. */
export const tokenEndpointWhat = (grantType: string) => `token endpoint (${grantType.replace(/^urn:ietf:params:oauth:grant-type:/, '')})`

export interface TokenPost {
  url: string
  what: string
  /** JSON (phone.com) or form-encoded (Persona). */
  body: { json: Record<string, unknown> } | { form: URLSearchParams }
  headers?: Record<string, string>
  readers: ErrorBodyReader[]
  /** The success body's schema; Persona's first folds its inflected keys into RFC 6749 names. */
  schema?: z.ZodType<TokenResponse>
  signal?: AbortSignal
}

/**
 * A token request the vendor's way. Any 2xx carrying a valid token response is success: phone.com
 * and Persona answer 201, which oauth4webapi's processors refuse. Safe to repeat after a network
 * failure or a 429/5xx, as the standard token requests are.
 */
export async function postTokenRequest(ctx: Pick<VendorContext, 'http'>, req: TokenPost): Promise<TokenResponse> {
  const [contentType, body] = 'json' in req.body ? ['application/json', JSON.stringify(req.body.json)] : ['application/x-www-form-urlencoded', req.body.form.toString()]
  const res = await vendorRequest(ctx.http, {
    method: 'POST',
    url: req.url,
    headers: { 'content-type': contentType, ...req.headers },
    body,
    retry: 'safe',
    what: req.what,
    signal: req.signal,
  })
  if (!isSuccess(res)) throw vendorError(res, req.what, req.readers)
  return parseJson(res, req.schema ?? TokenResponseSchema, req.what)
}

/**
 * A vendor's token-details endpoint, which reads the token itself as Bearer credentials. A 401
 * means the token is not (or no longer) valid: that is an answer, `active: false`, as RFC 7662
 * gives for such a token, not a failure.
 */
export async function bearerTokenDetails(
  ctx: Pick<VendorContext, 'http'>,
  token: string,
  req: { url: string; what: string; schema: z.ZodType<Record<string, unknown>>; readers: ErrorBodyReader[] },
): Promise<Record<string, unknown>> {
  const res = await vendorRequest(ctx.http, { method: 'GET', url: req.url, headers: { authorization: `Bearer ${token}` }, what: req.what })
  if (res.status === 401) return { active: false }
  if (!isSuccess(res)) throw vendorError(res, req.what, req.readers)
  return { active: true, ...parseJson(res, req.schema, req.what) }
}
