import { CliError, OAuthError, usageError } from '../errors.js'
import type { AuthorizationDetails } from '../oauth/authorization-details.js'
import { type SenderOptions, withSender } from '../oauth/sender.js'
import { grantParameters, requestedShape } from '../tokens/request.js'
import { openSession, verifyIdToken } from './session.js'
import { type TokenContext } from '../tokens/context.js'
import { PROTOCOL_PARAMETERS } from '../login/browser-login.js'
import { codeFlow } from '../login/code-flow.js'
import { deviceFlow } from '../login/device-flow.js'
import { implicitFlow } from '../login/implicit-flow.js'
import { manualFlow } from '../login/manual-flow.js'
import { resolveRedirect } from '../login/redirect-uri.js'
import { vendorFor } from '../vendors/registry.js'
import { type LoginSummary, loginSummary, storeLogin } from '../login/store-login.js'
import type { AuthorizationRequestOptions, LoginFlowFn, LoginUi } from '../login/types.js'
import { browserPlan } from '../login/browser.js'

const FLOWS = { code: codeFlow, implicit: implicitFlow, device: deviceFlow, manual: manualFlow } satisfies Record<string, LoginFlowFn>

export type LoginFlow = keyof typeof FLOWS
export const LOGIN_FLOWS = Object.keys(FLOWS) as LoginFlow[]
export const DEFAULT_LOGIN_TIMEOUT_SECONDS = 300

export interface LoginOptions {
  flow: LoginFlow
  scopes: string[]
  /** Loopback port; absent: the redirect URI's, else the profile's redirectPort, else any free port. */
  port?: number
  /** Loopback redirect URI (`--redirect-uri`); absent: the profile's, else http://127.0.0.1/callback. */
  redirectUri?: string
  open: boolean
  timeoutSeconds: number
  params: Record<string, string>
  /** PAR and JAR, for the code flow. */
  request: AuthorizationRequestOptions
  /** RFC 9396 rich authorization request. */
  authorizationDetails?: AuthorizationDetails
  /** DPoP or a client certificate for this login, on top of the profile's. */
  sender?: SenderOptions
}

export interface LoginContext extends TokenContext {
  ui: LoginUi
  openUrl(url: string): Promise<void>
  /** Where `--flow manual` reads the pasted URL; default stdin. */
  input?: NodeJS.ReadableStream
  /** Emits SIGINT on Ctrl-C (the process). */
  interrupts: NodeJS.EventEmitter
}

/**
 * `login` as one use case: run the chosen flow against the profile's server, within the timeout
 * and until Ctrl-C, then store the validated tokens where `token get` finds them. A login that
 * ends early stores nothing and leaves no port open.
 */
export async function login(options: LoginOptions, loginContext: LoginContext): Promise<LoginSummary> {
  const reserved = Object.keys(options.params).filter((key) => PROTOCOL_PARAMETERS.includes(key))
  if (reserved.length > 0) throw usageError(`--param cannot set ${reserved.join(', ')}: oauthctl sets it for the flow`, { code: 'bad_param' })
  if (options.flow !== 'code' && options.flow !== 'manual' && (options.request.par || options.request.requestObject)) {
    throw usageError(`--${options.request.par ? 'par' : 'request-object'} applies to --flow code and manual only`, { code: 'bad_flag' })
  }
  const ctx = { ...loginContext, profile: withSender(loginContext.profile, options.sender) }
  const redirect = resolveRedirect(
    options.redirectUri ?? ctx.profile.redirectUri,
    options.redirectUri ? '--redirect-uri' : "the profile's redirectUri",
    options.port,
    ctx.profile.redirectPort,
  )
  const abort = loginAbort(options.timeoutSeconds, ctx.interrupts)
  try {
    const session = await openSession(ctx)
    const { profile } = session
    const requested = requestedShape(profile, { scopes: options.scopes })
    const parameters = grantParameters(profile, requested, options.params, options.authorizationDetails)
    // A vendor that logs in without a browser (Persona, Nutanix) replaces the code flow.
    const flow = (options.flow === 'code' && vendorFor(profile.provider)?.loginFlow) || FLOWS[options.flow]
    // Once per ID token: a flow that checks it before telling the browser (code) is not checked twice.
    const verified = new Set<string>()
    const verify = async (idToken: string, accessToken?: string) => {
      if (verified.has(idToken)) return
      await verifyIdToken(idToken, session, ctx, accessToken)
      verified.add(idToken)
    }
    const result = await flow(
      { redirect, parameters, request: options.request },
      {
        session,
        http: ctx.http,
        signal: abort.signal,
        deadline: abort.deadline,
        ui: ctx.ui,
        browser: { plan: await browserPlan(!options.open, ctx.env), open: ctx.openUrl },
        env: ctx.env,
        input: ctx.input,
        verifyIdToken: verify,
      },
    )
    abort.signal.throwIfAborted()
    if (result.response.id_token) await verify(result.response.id_token, result.response.access_token)
    const token = await storeLogin(result, requested, ctx)
    if (ctx.store.kind === 'none') ctx.ui.warn('--storage none: the tokens were not kept; later commands will not find them')
    return loginSummary(ctx.profileName, session.as.issuer, token, result, ctx.store.kind, ctx.now())
  } catch (err) {
    // Aborted work fails in its own words (a cancelled request, a rejected sleep): report why it was aborted.
    if (abort.signal.aborted) throw abort.signal.reason
    throw options.request.par ? err : withParHint(err)
  } finally {
    abort.dispose()
  }
}

/**
 * A client registered to require PAR is refused at the authorization endpoint, and the discovery
 * document cannot say so (the requirement is the client's): point at --par.
 */
function withParHint(err: unknown): unknown {
  if (!(err instanceof OAuthError) || err.error !== 'invalid_request' || !/pushed authorization request/i.test(err.errorDescription ?? '')) return err
  return new OAuthError(err.error, err.errorDescription, err.httpStatus, 'this client must use a pushed authorization request: run oauthctl login --par')
}

/** One signal for both ways a login ends early: the timeout (exit 3) and the first Ctrl-C (exit 130). */
function loginAbort(seconds: number, interrupts: NodeJS.EventEmitter): { signal: AbortSignal; deadline: number; dispose(): void } {
  const controller = new AbortController()
  const deadline = Date.now() + seconds * 1000
  const timer = setTimeout(() => {
    controller.abort(
      new CliError('auth_required', `the login timed out after ${seconds} s; nothing was stored`, {
        code: 'login_timeout',
        hint: 'run oauthctl login again (--timeout SECONDS allows longer)',
      }),
    )
  }, seconds * 1000)
  const onInterrupt = () => controller.abort(new CliError('interrupted', 'the login was interrupted; nothing was stored', { code: 'interrupted' }))
  interrupts.once('SIGINT', onInterrupt)
  return {
    signal: controller.signal,
    deadline,
    dispose: () => {
      clearTimeout(timer)
      interrupts.off('SIGINT', onInterrupt)
    },
  }
}
