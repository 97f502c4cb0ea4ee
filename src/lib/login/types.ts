import type { IDToken } from 'oauth4webapi'
import type { HttpClient } from '../http/client.js'
import type { OAuthSession } from '../oauth/session.js'
import type { TokenResponse } from '../tokens/token-set.js'
import type { BrowserPlan } from './browser.js'

/** Where a login talks to the user: stderr, always (stdout carries the result only). */
export interface LoginUi {
  info(line: string): void
  warn(line: string): void
  /** Raw stderr, for the device flow's countdown line. */
  write(text: string): void
  /** Whether stderr is a terminal: the countdown is drawn only there. */
  tty: boolean
}

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
  ui: LoginUi
  browser: Browser
  env: NodeJS.ProcessEnv
}

export interface FlowOptions {
  /** Loopback port for the browser flows; absent: any free port. */
  port?: number
  /** scope, audience, resource and extra parameters for the authorization request. */
  parameters: URLSearchParams
}

export interface FlowResult {
  response: TokenResponse
  /** The ID token's claims, after oauth4webapi validated them. */
  claims?: IDToken
  /** The grant name the token is stored under. */
  grant: string
}

export type LoginFlowFn = (options: FlowOptions, ctx: FlowContext) => Promise<FlowResult>
