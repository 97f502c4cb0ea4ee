import type { IDToken } from 'oauth4webapi'
import type { HttpClient } from '../http/client.js'
import type { OAuthSession } from '../oauth/session.js'
import type { Progress } from '../output/progress.js'
import type { TokenResponse } from '../tokens/token-set.js'
import type { RedirectTarget } from './redirect-uri.js'

/** Where a login talks to the user: stderr, always (stdout carries the result only). */
export interface LoginUi {
  info(line: string): void
  /**
   * Shows the lines that carry the authorization URL, as they are: the redactor would hide a
   * request object (JAR) in it, which is signed, not secret, and what the browser needs.
   * Without it they go to `info`.
   */
  url?(line: string): void
  warn(line: string): void
  /** The line that shows a wait (for the browser, for approval) with the time left. */
  progress: Progress
}

/** Whether a login opens a browser, and if not, why (the advice differs). */
export type BrowserPlan =
  | { open: true }
  | { open: false; reason: 'no-open' | 'no-display' | 'wsl' }
  | { open: false; reason: 'ssh'; sshHost?: string }

export interface Browser {
  plan: BrowserPlan
  open(url: string): Promise<void>
}

/** What every login flow gets. */
export interface FlowContext {
  session: OAuthSession
  http: HttpClient
  /** Aborted on timeout or Ctrl-C, with the CliError to report as its reason. */
  signal: AbortSignal
  /** When the login times out (`--timeout`), in Date.now() milliseconds: what the waits count down to. */
  deadline: number
  ui: LoginUi
  browser: Browser
  env: NodeJS.ProcessEnv
  /** What the user types or pastes (`--flow manual`); default stdin, a terminal or a pipe. */
  input?: NodeJS.ReadableStream
  /** The ID token's signature check against the issuer's keys, and its at_hash against the access token (oauth4webapi checks the claims). */
  verifyIdToken(idToken: string, accessToken?: string): Promise<void>
}

export interface FlowOptions {
  /** Where the browser flows' redirect goes: loopback host, port (absent: any free one) and path; default http://127.0.0.1/callback. */
  redirect?: RedirectTarget
  /** scope, audience, resource, authorization details and extra parameters for the authorization request. */
  parameters: URLSearchParams
  /** How the code flow hands its request to the browser (PAR, JAR); absent: as plain query parameters. */
  request?: AuthorizationRequestOptions
}

export interface AuthorizationRequestOptions {
  /** Push the request first (RFC 9126); also done when the server's metadata requires it. */
  par: boolean
  /** Send the request as an object signed with the profile's private key (RFC 9101). */
  requestObject: boolean
}

export interface FlowResult {
  response: TokenResponse
  /** The ID token's claims, after oauth4webapi validated them. */
  claims?: IDToken
  /** The grant name the token is stored under. */
  grant: string
}

export type LoginFlowFn = (options: FlowOptions, ctx: FlowContext) => Promise<FlowResult>
