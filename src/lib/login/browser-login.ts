import * as oauth from 'oauth4webapi'
import type { TraceSink } from '../http/trace.js'
import { fromOAuthLibrary } from '../oauth/library-errors.js'
import { during } from '../output/progress.js'
import { presentLoopbackUrl } from './browser.js'
import { type CallbackVerdict, startLoopbackServer } from './loopback-server.js'
import type { FlowContext, FlowOptions } from './types.js'

/** Parameters oauthctl sets on an authorization request itself; `--param` may not replace them. */
export const PROTOCOL_PARAMETERS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'response_mode',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'request',
  'request_uri',
  'dpop_jkt',
]

/** The authorization URL: the request's parameters, then the protocol's, which win. */
export function authorizationUrl(endpoint: string, parameters: URLSearchParams, protocol: Record<string, string>): URL {
  const url = new URL(endpoint)
  for (const [key, value] of parameters) url.searchParams.set(key, value)
  for (const [key, value] of Object.entries(protocol)) url.searchParams.set(key, value)
  return url
}

/**
 * Sort one callback: a response carrying another `state` is not this login's (a stale tab, a
 * forged link) and is ignored; this login's response is checked by oauth4webapi (state, RFC 9207
 * `iss`, an `error` such as access_denied) and either refused or returned.
 */
export function checkAuthorizationResponse(
  session: Pick<FlowContext['session'], 'as' | 'client'>,
  params: URLSearchParams,
  state: string,
  trace?: TraceSink,
): Exclude<CallbackVerdict<never>, { proceed: unknown }> | { params: URLSearchParams } {
  if (params.get('state') !== state) return { ignore: 'its state does not match the login in progress' }
  trace?.step('Authorization response: the browser is sent back to the redirect URI')
  let checked: URLSearchParams
  try {
    checked = oauth.validateAuthResponse(session.as, session.client, params, state)
  } catch (err) {
    return { fail: fromOAuthLibrary(err, 'the authorization response') }
  }
  trace?.check('state: the one this login sent (CSRF defence)')
  if (params.has('iss')) trace?.check('iss: the issuer (RFC 9207 mix-up defence)')
  else trace?.note('no iss parameter: the server does not announce RFC 9207, so there is none to check')
  return { params: checked }
}

export interface BrowserLogin<T> {
  mode: 'query' | 'fragment'
  /** The request's `state`: the answer must carry it back. */
  state: string
  /** May ask the server first (a pushed authorization request), once the redirect URI is known. */
  authorizationUrl: (redirectUri: string) => URL | Promise<URL>
  handle: (params: URLSearchParams, redirectUri: string) => CallbackVerdict<T>
}

/** The browser round trip the code and implicit flows share: listen, show the URL, wait, close. */
export async function loopbackLogin<T>(login: BrowserLogin<T>, options: FlowOptions, ctx: FlowContext): Promise<T> {
  const server = await startLoopbackServer({ redirect: options.redirect, mode: login.mode, signal: ctx.signal, handle: login.handle })
  try {
    const url = await login.authorizationUrl(server.redirectUri)
    await presentLoopbackUrl(url.href, server.redirectUri, ctx.browser, { ...ctx.ui, info: ctx.ui.url ?? ctx.ui.info }, ctx.env)
    return await during(ctx.ui.progress, 'waiting for the login in the browser', () => server.result, { timeLeftMs: ctx.deadline - Date.now() })
  } finally {
    await server.close()
  }
}
