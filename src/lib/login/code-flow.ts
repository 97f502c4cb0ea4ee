import * as oauth from 'oauth4webapi'
import { authorizationRequestUrl } from './authorization-request.js'
import { authorizationUrl, type BrowserLogin, checkAuthorizationResponse, loopbackLogin } from './browser-login.js'
import type { FlowContext, FlowOptions, FlowResult } from './types.js'

/**
 * Authorization code with PKCE (S256, always), `state`, and a `nonce` when `openid` is asked for;
 * the code comes back to the loopback server and is exchanged with the profile's client
 * authentication before the browser is told the login worked. With DPoP the code is bound to the
 * key (`dpop_jkt`), and the exchange carries a proof made with it.
 */
export async function codeFlow(options: FlowOptions, ctx: FlowContext): Promise<FlowResult> {
  return loopbackLogin(await codeLogin(options, ctx), options, ctx)
}

/**
 * The code flow's request and its checks, whichever way the answer comes back: to the loopback
 * server (`codeFlow`) or pasted (`manualFlow`).
 */
export async function codeLogin(options: FlowOptions, ctx: FlowContext): Promise<BrowserLogin<FlowResult>> {
  const { session } = ctx
  const endpoint = session.requireEndpoint('authorization', 'authorization-endpoint')
  const verifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  // The nonce binds the ID token to this request; without openid there is no ID token to bind.
  const nonce = options.parameters.get('scope')?.split(' ').includes('openid') ? oauth.generateRandomNonce() : undefined
  const dpopJkt = await session.dpopThumbprint()
  const protocol: Record<string, string> = {
    client_id: session.client.client_id,
    response_type: 'code',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(nonce && { nonce }),
    ...(dpopJkt && { dpop_jkt: dpopJkt }),
  }
  const request = options.request ?? { par: false, requestObject: false }
  // RFC 8707 §2.2: the token request names the resource too, so the token is minted for it.
  const resources = new URLSearchParams(options.parameters.getAll('resource').map((r): [string, string] => ['resource', r]))
  return {
    mode: 'query',
    state,
    authorizationUrl: async (redirectUri) => {
      const url = await authorizationRequestUrl(session, authorizationUrl(endpoint, options.parameters, { ...protocol, redirect_uri: redirectUri }), request, ctx.signal)
      // After a pushed request (PAR), which the browser's request then only names.
      const sends = ['PKCE S256 code_challenge', 'state', ...(nonce ? ['nonce'] : []), ...(dpopJkt ? ['dpop_jkt'] : [])].join(', ')
      ctx.http.trace?.step(`Authorization request in the browser (response_type=code; ${sends}); the answer comes back to ${redirectUri}`)
      return url
    },
    handle: (params, redirectUri) => {
      const checked = checkAuthorizationResponse(session, params, state, ctx.http.trace)
      if (!('params' in checked)) return checked
      return { proceed: () => exchangeCode(checked.params, redirectUri, verifier, nonce, resources, ctx) }
    },
  }
}

async function exchangeCode(
  callback: URLSearchParams,
  redirectUri: string,
  verifier: string,
  nonce: string | undefined,
  resources: URLSearchParams,
  ctx: FlowContext,
): Promise<FlowResult> {
  const { session, signal } = ctx
  if (session.ownTokenRequests) {
    // A server with its own token request (phone.com's JSON body, APIMatic's user-grant endpoint).
    const code = callback.get('code') ?? ''
    const response = await session.grant('authorization_code', new URLSearchParams({ code, redirect_uri: redirectUri, code_verifier: verifier }))
    if (response.id_token) await ctx.verifyIdToken(response.id_token, response.access_token)
    return { response, grant: 'authorization_code' }
  }
  let claims: oauth.IDToken | undefined
  const response = await session.tokenRequest(
    'token endpoint (authorization_code)',
    async (options) =>
      oauth.authorizationCodeGrantRequest(session.as, session.client, await session.clientAuth(), callback, redirectUri, verifier, { ...options, additionalParameters: resources, signal }),
    async (response) => {
      const processed = await oauth.processAuthorizationCodeResponse(session.as, session.client, response, {
        expectedNonce: nonce ?? oauth.expectNoNonce,
        requireIdToken: nonce !== undefined,
      })
      claims = oauth.getValidatedIdTokenClaims(processed)
      return processed
    },
  )
  ctx.http.trace?.check('PKCE: the server accepted the code_verifier for the S256 code_challenge of the authorization request')
  if (claims) ctx.http.trace?.check(`ID token claims: iss, aud, exp, iat as expected${nonce ? ', nonce is the one sent' : ''}`)
  // Checked here, before the browser is told "Logged in": a bad signature must show the error page.
  if (response.id_token) await ctx.verifyIdToken(response.id_token, response.access_token)
  return { response, claims, grant: 'authorization_code' }
}
