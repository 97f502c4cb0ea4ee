import { setTimeout as delay } from 'node:timers/promises'
import * as oauth from 'oauth4webapi'
import { authRequired, OAuthError } from '../errors.js'
import { during } from '../output/progress.js'
import { openOrWarn, safeBrowserUrl } from './browser.js'
import type { FlowContext, FlowOptions, FlowResult } from './types.js'

/** RFC 8628 §3.2: the polling interval when the server names none, and §3.5: slow_down adds 5 s. */
const DEFAULT_INTERVAL_MS = 5000
const SLOW_DOWN_MS = 5000

export interface Clock {
  now(): number
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

const SYSTEM_CLOCK: Clock = { now: Date.now, sleep: (ms, signal) => delay(ms, undefined, { signal }) }

/**
 * The device authorization grant (RFC 8628): show the verification URI and user code, then poll
 * the token endpoint at the server's pace until the user approves, refuses, or the code expires.
 */
export async function deviceFlow(options: FlowOptions, ctx: FlowContext, clock: Clock = SYSTEM_CLOCK): Promise<FlowResult> {
  const { session, signal } = ctx
  const endpoint = session.requireEndpoint('device', 'device-endpoint')
  const auth = await session.call(
    'device authorization endpoint',
    endpoint,
    async (requestOptions) =>
      oauth.deviceAuthorizationRequest(session.as, session.client, await session.clientAuth(), options.parameters, { ...requestOptions, signal }),
    (response) => oauth.processDeviceAuthorizationResponse(session.as, session.client, response),
  )
  let interval = auth.interval !== undefined ? auth.interval * 1000 : DEFAULT_INTERVAL_MS
  // Both links are checked before either is shown: a server that sends one bad link is not trusted with the other.
  const source = 'the device authorization endpoint sent a verification URI'
  const verificationUri = safeBrowserUrl(auth.verification_uri, source)
  const complete = auth.verification_uri_complete === undefined ? undefined : safeBrowserUrl(auth.verification_uri_complete, source)
  ctx.ui.info(`To log in, visit ${verificationUri}\nand enter the code: ${auth.user_code}`)
  const trace = ctx.http.trace
  trace?.step(`User approval: the user visits ${verificationUri} and enters the code; meanwhile the token endpoint is polled every ${interval / 1000} s until ${auth.expires_in} s have passed`)
  if (ctx.browser.plan.open) await openOrWarn(complete ?? verificationUri, ctx.browser, ctx.ui)

  const deadline = clock.now() + auth.expires_in * 1000
  const polling = () => `polling every ${interval / 1000} s`
  // The line counts down to whichever comes first: the code's expiry or the login's --timeout.
  const timeLeftMs = Math.min(deadline - clock.now(), ctx.deadline - Date.now())
  return during(
    ctx.ui.progress,
    'waiting for approval',
    async (wait) => {
      for (;;) {
        // The next poll would come after the code expired: stop now rather than ask in vain.
        if (clock.now() + interval > deadline) throw codeExpired()
        await clock.sleep(interval, signal)
        try {
          return await pollOnce(auth.device_code, ctx)
        } catch (err) {
          if (!(err instanceof OAuthError)) throw err
          if (err.error === 'authorization_pending') {
            trace?.note(`authorization_pending: not approved yet; asking again in ${interval / 1000} s`)
            continue
          }
          if (err.error === 'slow_down') {
            interval += SLOW_DOWN_MS
            trace?.note(`slow_down: the server asks for fewer polls; asking again in ${interval / 1000} s`)
            wait.update(polling())
            continue
          }
          if (err.error === 'expired_token') throw codeExpired()
          throw err // access_denied and anything else: the server refused (exit 4)
        }
      }
    },
    { text: polling(), timeLeftMs },
  )
}

async function pollOnce(deviceCode: string, { session, signal, http }: FlowContext): Promise<FlowResult> {
  let claims: oauth.IDToken | undefined
  const response = await session.tokenRequest(
    'token endpoint (device_code)',
    async (options) => oauth.deviceCodeGrantRequest(session.as, session.client, await session.clientAuth(), deviceCode, { ...options, signal }),
    async (response) => {
      const processed = await oauth.processDeviceCodeResponse(session.as, session.client, response)
      claims = oauth.getValidatedIdTokenClaims(processed)
      return processed
    },
  )
  if (claims) http.trace?.check('ID token claims: iss, aud, exp, iat as expected')
  return { response, claims, grant: 'device_code' }
}

const codeExpired = () =>
  authRequired('the device code expired before the login was approved; nothing was stored', {
    code: 'expired_token',
    hint: 'run oauthctl login --flow device again',
  })
