import { createInterface } from 'node:readline'
import { CliError, usageError } from '../errors.js'
import { registerSecret } from '../redact.js'
import { safeBrowserUrl } from './browser.js'
import type { BrowserLogin } from './browser-login.js'
import { codeLogin } from './code-flow.js'
import { DEFAULT_REDIRECT, redirectUriOf } from './redirect-uri.js'
import type { FlowContext, FlowOptions, FlowResult } from './types.js'

/**
 * `--flow manual`: the code flow with no listener, for machines no browser and no port forward can
 * reach. The URL is printed; the browser's redirect (which will not load) is pasted back, and goes
 * through the code flow's own checks (state, RFC 9207 iss, error) and exchange.
 */
export async function manualFlow(options: FlowOptions, ctx: FlowContext): Promise<FlowResult> {
  const login = await codeLogin(options, ctx)
  const redirect = options.redirect ?? DEFAULT_REDIRECT
  const redirectUri = redirectUriOf(redirect, redirect.port)
  const url = safeBrowserUrl((await login.authorizationUrl(redirectUri)).href, 'the authorization endpoint makes an authorization URL')
  ;(ctx.ui.url ?? ctx.ui.info)(`Open this URL in a browser on any machine and log in:\n  ${url}`)
  ctx.ui.info(`The browser then goes to ${redirectUri}?code=…, which will not load. Paste that whole URL from its address bar here and press Enter:`)
  for await (const line of lines(ctx.input ?? process.stdin, ctx.signal)) {
    const text = line.trim()
    if (!text) continue
    const verdict = login.handle(pastedParameters(text, redirectUri, login, ctx), redirectUri)
    if ('ignore' in verdict) {
      throw new CliError('server_refused', `the pasted URL is not this login's answer (${verdict.ignore}); nothing was stored`, { code: 'verification_failed' })
    }
    if ('fail' in verdict) throw verdict.fail
    return verdict.proceed()
  }
  ctx.signal.throwIfAborted()
  throw new CliError('auth_required', 'the input ended before the redirected URL was pasted; nothing was stored', { code: 'login_incomplete' })
}

/**
 * The answer's parameters from what was pasted: the redirected URL (it must be the redirect URI),
 * its query alone, or the bare code. A bare code carries no state or iss to check; it is taken
 * only when the server supports PKCE (S256), which binds the code to this login's verifier, so a
 * code from another login fails at the token endpoint (RFC 9700 §2.1: PKCE is then the CSRF
 * defence), and a warning says what was not checked.
 */
function pastedParameters(text: string, redirectUri: string, login: BrowserLogin<unknown>, ctx: FlowContext): URLSearchParams {
  if (URL.canParse(text)) {
    const pasted = new URL(text)
    const expected = new URL(redirectUri)
    if (pasted.origin !== expected.origin || pasted.pathname !== expected.pathname) {
      throw usageError(`the pasted URL goes to ${pasted.origin}${pasted.pathname}, not to the redirect URI ${redirectUri}`, { code: 'bad_paste' })
    }
    return remember(pasted.searchParams)
  }
  if (text.includes('=')) return remember(new URLSearchParams(text.replace(/^\?/, '')))
  if (!/^[\x21-\x7e]+$/.test(text)) throw usageError('that is neither the redirected URL nor a code', { code: 'bad_paste' })
  const { as } = ctx.session
  if (!as.code_challenge_methods_supported?.includes('S256')) {
    throw usageError('a code alone cannot be checked against this login (the server does not announce PKCE): paste the whole redirected URL', { code: 'bad_paste' })
  }
  ctx.ui.warn('only the code was pasted: its state and issuer were not checked (PKCE still ties the code to this login)')
  const params = new URLSearchParams({ code: text, state: login.state })
  if (as.authorization_response_iss_parameter_supported) params.set('iss', as.issuer)
  return remember(params)
}

/** The code is a credential until it is exchanged: keep it out of traces and errors. */
function remember(params: URLSearchParams): URLSearchParams {
  registerSecret(params.get('code') ?? undefined)
  return params
}

/** Lines from the terminal or a pipe, ending when the login is aborted (timeout, Ctrl-C). */
async function* lines(input: NodeJS.ReadableStream, signal: AbortSignal): AsyncGenerator<string> {
  signal.throwIfAborted()
  // terminal: false leaves Ctrl-C to the terminal driver, which sends SIGINT as in every other flow.
  const reader = createInterface({ input, terminal: false, crlfDelay: Infinity })
  const stop = () => reader.close()
  signal.addEventListener('abort', stop, { once: true })
  try {
    yield* reader
  } finally {
    signal.removeEventListener('abort', stop)
    reader.close()
  }
}
