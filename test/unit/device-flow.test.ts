import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ProfileSchema } from '../../src/lib/config/schema.js'
import { CliError, OAuthError } from '../../src/lib/errors.js'
import { HttpClient } from '../../src/lib/http/client.js'
import { type Clock, deviceFlow } from '../../src/lib/login/device-flow.js'
import type { FlowContext } from '../../src/lib/login/types.js'
import { OAuthSession } from '../../src/lib/oauth/session.js'
import { recordingProgress } from '../helpers/progress.js'

const ORIGIN = 'https://as.example.test'
const JSON_HEADERS = { 'content-type': 'application/json' }
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

let agent: MockAgent
let sleeps: number[]
let clock: Clock
let lines: string[]
let progress: ReturnType<typeof recordingProgress>
let opened: string[]

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
  sleeps = []
  lines = []
  progress = recordingProgress()
  opened = []
  let now = 1_000_000
  // Time passes only when the flow sleeps: the test sees every wait it asks for.
  clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms)
      now += ms
    },
  }
})

afterEach(async () => {
  try {
    agent.assertNoPendingInterceptors()
  } finally {
    await agent.close()
  }
})

function context(options: { open?: boolean; timeoutMs?: number } = {}): FlowContext {
  const http = new HttpClient({ dispatcher: agent, maxAttempts: 1 })
  const profile = ProfileSchema.parse({ issuer: ORIGIN, endpoints: { token: `${ORIGIN}/token`, device: `${ORIGIN}/device` }, clientId: 'tv', authMethod: 'none' })
  return {
    session: new OAuthSession(profile, http, undefined),
    http,
    signal: new AbortController().signal,
    deadline: Date.now() + (options.timeoutMs ?? 3_600_000),
    ui: { info: (l) => lines.push(l), warn: (l) => lines.push(`warning: ${l}`), progress },
    browser: { plan: options.open ? { open: true } : { open: false, reason: 'no-open' }, open: async (url) => void opened.push(url) },
    env: {},
    verifyIdToken: async () => undefined,
  }
}

function deviceAuthorization(body: Record<string, unknown>) {
  agent
    .get(ORIGIN)
    .intercept({ path: '/device', method: 'POST', body: (b) => new URLSearchParams(b).get('client_id') === 'tv' && new URLSearchParams(b).get('scope') === 'openid' })
    .reply(200, { device_code: 'dev-code', user_code: 'WDJB-MJHT', verification_uri: `${ORIGIN}/activate`, verification_uri_complete: `${ORIGIN}/activate?user_code=WDJB-MJHT`, ...body }, { headers: JSON_HEADERS })
}

function poll(status: number, body: Record<string, unknown>) {
  agent
    .get(ORIGIN)
    .intercept({ path: '/token', method: 'POST', body: (b) => new URLSearchParams(b).get('grant_type') === DEVICE_GRANT && new URLSearchParams(b).get('device_code') === 'dev-code' })
    .reply(status, body, { headers: JSON_HEADERS })
}

const run = (ctx = context()) => deviceFlow({ parameters: new URLSearchParams({ scope: 'openid' }) }, ctx, clock)
const TOKEN = { access_token: 'the-access-token', token_type: 'Bearer', expires_in: 3600, refresh_token: 'the-refresh-token' }

describe('device flow', () => {
  it('shows the URI and code, polls at the interval, waits through pending and slows down by 5 s', async () => {
    deviceAuthorization({ expires_in: 600, interval: 2 })
    poll(400, { error: 'authorization_pending' })
    poll(400, { error: 'slow_down' })
    poll(400, { error: 'authorization_pending' })
    poll(200, TOKEN)
    const result = await run()
    expect(result).toMatchObject({ grant: 'device_code', response: { access_token: 'the-access-token', refresh_token: 'the-refresh-token' } })
    expect(sleeps).toEqual([2000, 2000, 7000, 7000])
    expect(lines).toEqual([`To log in, visit ${ORIGIN}/activate\nand enter the code: WDJB-MJHT`])
    expect(opened).toEqual([])
  })

  it('waits 5 s between polls when the server names no interval (RFC 8628 §3.2)', async () => {
    deviceAuthorization({ expires_in: 600 })
    poll(400, { error: 'authorization_pending' })
    poll(200, TOKEN)
    await run()
    expect(sleeps).toEqual([5000, 5000])
  })

  it('stops at expires_in without another poll (exit 3)', async () => {
    deviceAuthorization({ expires_in: 12, interval: 5 })
    poll(400, { error: 'authorization_pending' })
    poll(400, { error: 'authorization_pending' })
    const error = await run().catch((err: unknown) => err)
    expect(error).toBeInstanceOf(CliError)
    expect(error).toMatchObject({ code: 'expired_token', exitCode: 3 })
    expect(sleeps).toEqual([5000, 5000])
  })

  it('reports expired_token from the server as exit 3', async () => {
    deviceAuthorization({ expires_in: 600, interval: 1 })
    poll(400, { error: 'expired_token' })
    await expect(run()).rejects.toMatchObject({ code: 'expired_token', exitCode: 3 })
  })

  it('reports access_denied as the server refusing (exit 4)', async () => {
    deviceAuthorization({ expires_in: 600, interval: 1 })
    poll(400, { error: 'authorization_pending' })
    poll(400, { error: 'access_denied', error_description: 'the user said no' })
    const error = await run().catch((err: unknown) => err)
    expect(error).toBeInstanceOf(OAuthError)
    expect(error).toMatchObject({ error: 'access_denied', exitCode: 4, message: 'access_denied: the user said no' })
  })

  it('opens the complete verification URI when a browser may be opened', async () => {
    deviceAuthorization({ expires_in: 600, interval: 1 })
    poll(200, TOKEN)
    await run(context({ open: true }))
    expect(opened).toEqual([`${ORIGIN}/activate?user_code=WDJB-MJHT`])
  })

  it('shows the wait for approval: the time until the code expires, the interval (slowed down too), stopped at the end', async () => {
    deviceAuthorization({ expires_in: 600, interval: 2 })
    poll(400, { error: 'slow_down' })
    poll(200, TOKEN)
    await run()
    expect(progress.waits).toEqual([{ label: 'waiting for approval', timeLeftMs: 600_000, texts: ['polling every 2 s', 'polling every 7 s'], stopped: true }])
  })

  it('counts down to the login timeout when it comes before the code expires, and stops the line when the login fails', async () => {
    deviceAuthorization({ expires_in: 600, interval: 1 })
    poll(400, { error: 'access_denied' })
    await expect(run(context({ timeoutMs: 60_000 }))).rejects.toMatchObject({ exitCode: 4 })
    expect(progress.waits).toHaveLength(1)
    expect(progress.waits[0]?.timeLeftMs).toBeGreaterThan(59_000)
    expect(progress.waits[0]?.timeLeftMs).toBeLessThanOrEqual(60_000)
    expect(progress.open()).toEqual([])
  })
})
