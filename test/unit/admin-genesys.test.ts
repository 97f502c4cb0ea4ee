import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { genesysBackend, USAGE_POLL } from '../../src/lib/vendors/genesys/admin.js'
import type { AdminBackend, AdminContext } from '../../src/lib/admin/types.js'
import { withProfileToken } from '../../src/lib/use-cases/admin.js'
import { ProfileSchema } from '../../src/lib/config/schema.js'
import type { CliError } from '../../src/lib/errors.js'
import { HttpClient } from '../../src/lib/http/client.js'
import { MemoryStore } from '../../src/lib/storage/memory.js'

const API = 'https://api.mypurecloud.ie'
const LOGIN = 'https://login.mypurecloud.ie'
const JSON_HEADERS = { 'content-type': 'application/json' }
const CLIENT = 'c1'
const RESULTS = `/api/v2/oauth/clients/${CLIENT}/usage/query/results/e1`

let agent: MockAgent
let sleeps: number[]
let backend: AdminBackend

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
  sleeps = []
  const store = new MemoryStore()
  const ctx: AdminContext = withProfileToken({
    profileName: 'gc',
    profile: ProfileSchema.parse({ provider: 'genesys', region: 'mypurecloud.ie', clientId: 'admin-client' }),
    http: new HttpClient({ dispatcher: agent, sleep: async () => undefined }),
    store: async () => store,
    env: { OAUTHCTL_CLIENT_SECRET: 'admin-secret-value' },
    configDir: '/nonexistent',
    // 2025-03-08T00:00:00Z
    now: () => 1_741_392_000,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    warn: () => undefined,
  })
  agent.get(LOGIN).intercept({ path: '/oauth/token', method: 'POST' }).reply(200, { access_token: 'at-1', token_type: 'bearer', expires_in: 3600 }, { headers: JSON_HEADERS })
  backend = genesysBackend(ctx)
})

afterEach(async () => {
  try {
    agent.assertNoPendingInterceptors()
  } finally {
    await agent.close()
  }
})

const api = () => agent.get(API)

function startQuery(expectBody?: (body: string) => boolean) {
  api()
    .intercept({ path: `/api/v2/oauth/clients/${CLIENT}/usage/query`, method: 'POST', body: expectBody, headers: { authorization: 'Bearer at-1' } })
    .reply(200, { executionId: 'e1', resultsUri: RESULTS }, { headers: JSON_HEADERS })
}
const poll = (body: object, times = 1) => api().intercept({ path: RESULTS, method: 'GET' }).reply(200, body, { headers: JSON_HEADERS }).times(times)

describe('genesys usage query', () => {
  it('asks for the last N days by day, then polls with growing waits until Complete', async () => {
    startQuery((body) => body === JSON.stringify({ interval: '2025-03-01T00:00:00.000Z/2025-03-08T00:00:00.000Z', granularity: 'Day', groupBy: ['TemplateUri', 'HttpMethod'] }))
    poll({ queryStatus: 'Running' }, 3)
    poll({ queryStatus: 'Complete', results: [{ templateUri: 'api/v2/users', httpMethod: 'GET', requests: 5, status200: 5 }] })

    const report = await backend.usage?.(CLIENT, 7)

    expect(report).toEqual({ clientId: CLIENT, interval: '2025-03-01T00:00:00.000Z/2025-03-08T00:00:00.000Z', rows: [{ templateUri: 'api/v2/users', httpMethod: 'GET', requests: 5, status200: 5 }] })
    expect(sleeps).toEqual([500, 1000, 2000])
  })

  it('gives up after its time budget (exit 5), waits capped', async () => {
    startQuery()
    api().intercept({ path: RESULTS, method: 'GET' }).reply(200, { queryStatus: 'Running' }, { headers: JSON_HEADERS }).persist()

    const err = (await backend.usage?.(CLIENT, 7).catch((e: unknown) => e)) as CliError

    expect([err.exitCode, err.code, err.message]).toEqual([5, 'timeout', `the usage query for client ${CLIENT} did not complete within 60 s`])
    expect(Math.max(...sleeps)).toBe(USAGE_POLL.maxMs)
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(USAGE_POLL.budgetMs)
  })

  it('reports Failed, and refuses an unknown status (exit 5)', async () => {
    startQuery()
    poll({ queryStatus: 'Failed', results: [] })
    const failed = (await backend.usage?.(CLIENT, 1).catch((e: unknown) => e)) as CliError
    expect([failed.exitCode, failed.code]).toEqual([5, 'usage_query_failed'])

    startQuery()
    poll({ queryStatus: 'Paused' })
    const odd = (await backend.usage?.(CLIENT, 1).catch((e: unknown) => e)) as CliError
    expect([odd.exitCode, odd.code]).toEqual([5, 'unexpected_response'])
  })
})

describe('genesys paging', () => {
  const entity = (id: string) => ({ id, name: id, authorizedGrantType: 'CODE' })

  it('follows page numbers when the server pages without a nextUri', async () => {
    api().intercept({ path: '/api/v2/oauth/clients', method: 'GET' }).reply(200, { entities: [entity('a')], pageSize: 1, pageNumber: 1, pageCount: 2 }, { headers: JSON_HEADERS })
    api().intercept({ path: '/api/v2/oauth/clients?pageSize=1&pageNumber=2', method: 'GET' }).reply(200, { entities: [entity('b')], pageSize: 1, pageNumber: 2, pageCount: 2 }, { headers: JSON_HEADERS })
    const page = await backend.list?.({})
    expect(page?.clients.map((c) => c.id)).toEqual(['a', 'b'])
    expect(page?.more).toBe(false)
  })

  it('refuses a nextUri on another origin (the token would go with it) and a link loop (exit 5)', async () => {
    api().intercept({ path: '/api/v2/oauth/clients', method: 'GET' }).reply(200, { entities: [entity('a')], nextUri: 'https://evil.example/api/v2/oauth/clients?p=2' }, { headers: JSON_HEADERS })
    const foreign = (await backend.list?.({}).catch((e: unknown) => e)) as CliError
    expect([foreign.exitCode, foreign.code]).toEqual([5, 'foreign_link'])

    api().intercept({ path: '/api/v2/oauth/clients', method: 'GET' }).reply(200, { entities: [entity('a')], nextUri: '/api/v2/oauth/clients' }, { headers: JSON_HEADERS })
    const loop = (await backend.list?.({}).catch((e: unknown) => e)) as CliError
    expect([loop.exitCode, loop.code]).toEqual([5, 'paging_loop'])
  })
})
