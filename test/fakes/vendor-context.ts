import { EventEmitter } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ProfileInput, ProfileSchema } from '../../src/lib/config/schema.js'
import { HttpClient, type HttpClientOptions } from '../../src/lib/http/client.js'
import type { LoginContext, LoginOptions } from '../../src/lib/use-cases/login.js'
import type { OAuthSession } from '../../src/lib/oauth/session.js'
import { sessionFor } from '../../src/lib/vendors/registry.js'
import { NO_PROGRESS } from '../../src/lib/output/progress.js'
import { MemoryStore } from '../../src/lib/storage/memory.js'
import type { TokenContext } from '../../src/lib/tokens/context.js'

/**
 * In-process plumbing for the vendor contract tests: a profile's OAuthSession over a real
 * HttpClient (against a loopback fake), the contexts `getToken` and `login` take, and a browser
 * double that follows the authorization endpoint's redirect back to the loopback server.
 */

export interface Harness {
  http: HttpClient
  /** Waits the HTTP layer was asked to make before a retry, in ms (none is actually waited). */
  waits: number[]
  /** Trace lines (-v), already redacted. */
  trace: string[]
  /** A temporary folder (the config folder of the contexts), removed by close(). */
  dir: string
  session(profile: ProfileInput, secret?: string): OAuthSession
  tokenContext(profile: ProfileInput, options?: { secret?: string; env?: NodeJS.ProcessEnv }): TokenContext
  loginContext(profile: ProfileInput, options?: { secret?: string; env?: NodeJS.ProcessEnv }): LoginContext & { info: string[] }
  close(): Promise<void>
}

export async function harness(options: HttpClientOptions = {}): Promise<Harness> {
  const waits: number[] = []
  const trace: string[] = []
  const http = new HttpClient({
    sleep: async (ms) => {
      waits.push(ms)
    },
    trace: (line) => trace.push(line),
    ...options,
  })
  const configDir = await mkdtemp(join(tmpdir(), 'oauthctl-vendor-'))
  const store = new MemoryStore()
  const tokenContext = (profile: ProfileInput, o: { secret?: string; env?: NodeJS.ProcessEnv } = {}): TokenContext => ({
    profileName: 'vendor',
    profile: ProfileSchema.parse(profile),
    store,
    http,
    env: { ...(o.secret ? { OAUTHCTL_CLIENT_SECRET: o.secret } : {}), ...o.env },
    configDir,
    now: () => Math.floor(Date.now() / 1000),
  })
  return {
    http,
    waits,
    trace,
    dir: configDir,
    session: (profile, secret) => sessionFor(ProfileSchema.parse(profile), http, secret === undefined ? undefined : { value: secret, source: 'env' }),
    tokenContext,
    loginContext(profile, o = {}) {
      const info: string[] = []
      const base = tokenContext(profile, o)
      return {
        ...base,
        // A BROWSER makes the login open one: here, the double.
        env: { ...base.env, BROWSER: 'test-double' },
        ui: { info: (line) => info.push(line), warn: (line) => info.push(`warning: ${line}`), progress: NO_PROGRESS },
        openUrl: followAuthorization,
        interrupts: new EventEmitter(),
        info,
      }
    },
    close: async () => {
      await http.close()
      await rm(configDir, { recursive: true, force: true })
    },
  }
}

/**
 * A browser that does what the user would: load the authorization URL (the fake answers with a
 * redirect), then follow the redirect to the loopback callback; for a token in the fragment, post
 * it back as the callback page's script does. Not awaited by the login, like a real browser.
 */
export async function followAuthorization(url: string): Promise<void> {
  const answer = await fetch(url, { redirect: 'manual' })
  const location = answer.headers.get('location')
  if (!location) throw new Error(`the authorization endpoint answered ${answer.status} without a redirect`)
  const callback = new URL(location)
  if (!callback.hash) {
    void fetch(callback)
    return
  }
  void postFragment(callback)
}

function postFragment(callback: URL): Promise<void> {
  const body = callback.hash.slice(1)
  return new Promise((resolve, reject) => {
    const req = request(
      { host: callback.hostname, port: callback.port, path: callback.pathname, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: callback.origin, host: callback.host } },
      (res) => {
        res.resume()
        res.on('end', resolve)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** `login` options as the command builds them without extra flags: the browser opened (the double), no PAR or JAR. */
export const loginOptions = (options: Pick<LoginOptions, 'flow' | 'scopes'> & Partial<LoginOptions>): LoginOptions => ({
  open: true,
  timeoutSeconds: 10,
  params: {},
  request: { par: false, requestObject: false },
  ...options,
})
