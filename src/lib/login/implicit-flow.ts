import * as oauth from 'oauth4webapi'
import { badResponse } from '../errors.js'
import { TokenResponseSchema } from '../tokens/token-set.js'
import { authorizationUrl, checkAuthorizationResponse, loopbackLogin } from './browser-login.js'
import type { FlowContext, FlowOptions, FlowResult } from './types.js'

/**
 * The implicit grant (`response_type=token`), for servers that offer nothing better: the token
 * arrives in the URL fragment, which the callback page posts back to the loopback server.
 */
export async function implicitFlow(options: FlowOptions, ctx: FlowContext): Promise<FlowResult> {
  const { session } = ctx
  ctx.ui.warn('the implicit flow is legacy (RFC 9700): the token travels in the browser URL and comes without a refresh token; prefer --flow code')
  const endpoint = session.requireEndpoint('authorization', 'authorization-endpoint')
  const state = oauth.generateRandomState()
  return loopbackLogin(
    {
      mode: 'fragment',
      state,
      authorizationUrl: (redirectUri) => {
        ctx.http.trace?.step(`Authorization request in the browser (response_type=token; state); the token comes back in the fragment of ${redirectUri}`)
        return authorizationUrl(endpoint, options.parameters, { client_id: session.client.client_id, response_type: 'token', redirect_uri: redirectUri, state })
      },
      handle: (params) => {
        const checked = checkAuthorizationResponse(session, params, state, ctx.http.trace)
        if (!('params' in checked)) return checked
        const { state: _state, iss: _iss, ...fields } = Object.fromEntries(checked.params)
        const parsed = TokenResponseSchema.safeParse({ ...fields, expires_in: fields.expires_in === undefined ? undefined : Number(fields.expires_in) })
        if (!parsed.success) {
          const issue = parsed.error.issues[0]
          return { fail: badResponse(`the authorization response carries no usable token: ${issue?.path.join('.') || 'body'}: ${issue?.message}`, { code: 'invalid_token_response' }) }
        }
        return { proceed: async () => ({ response: parsed.data, grant: 'implicit' }) }
      },
    },
    options,
    ctx,
  )
}
