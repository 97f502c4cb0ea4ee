import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { dynamic, type FaultServer, json, startFaultServer, tokenResponse } from './fault-server.js'

/**
 * Issue 14 row 2: tokens are bound to the server and client that issued them. After `profiles add
 * p` is re-run with another issuer, token endpoint or client id, `token get` neither prints the old
 * server's token nor sends the old refresh token anywhere: it asks the new server afresh.
 */
let oldServer: FaultServer
let newServer: FaultServer
let t: Sandboxed

beforeAll(async () => {
  ;[oldServer, newServer] = await Promise.all([startFaultServer(), startFaultServer()])
})
afterAll(async () => {
  await Promise.all([oldServer?.close(), newServer?.close()])
})
beforeEach(() => {
  for (const server of [oldServer, newServer]) {
    server.reset()
    server.route('/.well-known/openid-configuration', json(200, { issuer: server.origin, token_endpoint: server.url('/token'), response_types_supported: ['code'] }))
  }
  // Each server names its tokens after itself and the client that asked (Basic credentials).
  for (const [server, name] of [[oldServer, 'old'], [newServer, 'new']] as const) {
    server.route(
      '/token',
      dynamic((req) => {
        const client = decodeURIComponent(Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':')[0] ?? '')
        return tokenResponse({ access_token: `${name}-server-access-for-${client}`, refresh_token: `${name}-server-refresh-for-${client}`, expires_in: lifetime })
      }),
    )
  }
})
useIsolated((i) => (t = i), { OAUTHCTL_TIMEOUT: '2' })

let lifetime = 3600

const addProfile = async (args: string[], secret: string) => {
  const added = await t.run(['profiles', 'add', 'p', ...args, '--client-secret-stdin'], { stdin: secret })
  expect(added.code, added.stderr).toBe(0)
}

/** Every body and header any server received, as one text: where a refresh token would show. */
const sentTo = (server: FaultServer) => server.requests.map((r) => `${JSON.stringify(r.headers)}\n${r.body}`).join('\n')

describe.each([
  { name: 'the issuer changes', first: () => ['--issuer', oldServer.origin, '--client-id', 'client-a'], second: () => ['--issuer', newServer.origin], client: 'client-a' },
  { name: 'the token endpoint changes', first: () => ['--token-endpoint', oldServer.url('/token'), '--client-id', 'client-a'], second: () => ['--token-endpoint', newServer.url('/token')], client: 'client-a' },
])('when $name', ({ first, second, client }) => {
  it.each([3600, 30])('a token (lifetime %i s) of the old server is neither printed nor refreshed at the new one', async (seconds) => {
    lifetime = seconds
    await addProfile(first(), 'secret-of-client-a')
    const old = await t.run(['token', 'get'])
    expect(old.stdout).toBe(`old-server-access-for-${client}\n`)
    await addProfile(second(), 'secret-of-client-a')
    const oldCount = oldServer.count('/token')
    const result = await t.run(['token', 'get'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe(`new-server-access-for-${client}\n`)
    expect(oldServer.count('/token')).toBe(oldCount)
    expect(newServer.count('/token')).toBe(1)
    expect(new URLSearchParams(newServer.requests.find((r) => r.path === '/token')?.body).get('grant_type')).toBe('client_credentials')
    expect(sentTo(newServer)).not.toContain('old-server-refresh')
    // --force sends the refresh token it holds: the new server's own, never the old one.
    const forced = await t.run(['token', 'get', '--force'])
    expect(forced.code, forced.stderr).toBe(0)
    expect(sentTo(newServer)).not.toContain('old-server-refresh')
    const status = await t.run(['status', '--json'])
    expect(status.stdout).not.toContain('old-server')
  })
})

describe('when the client id changes', () => {
  it.each([3600, 30])('a token (lifetime %i s) of the old client is neither printed nor refreshed for the new one', async (seconds) => {
    lifetime = seconds
    await addProfile(['--token-endpoint', oldServer.url('/token'), '--client-id', 'client-a'], 'secret-of-client-a')
    expect((await t.run(['token', 'get'])).stdout).toBe('old-server-access-for-client-a\n')
    await addProfile(['--client-id', 'client-b'], 'secret-of-client-b')
    oldServer.requests.length = 0
    const result = await t.run(['token', 'get'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('old-server-access-for-client-b\n')
    expect(oldServer.count('/token')).toBe(1)
    expect(new URLSearchParams(oldServer.requests[0]?.body).get('grant_type')).toBe('client_credentials')
    expect(sentTo(oldServer)).not.toContain('refresh-for-client-a')
    await t.run(['token', 'get', '--force'])
    expect(sentTo(oldServer)).not.toContain('refresh-for-client-a')
  })
})

describe('logout after the server changed', () => {
  it('deletes the old server\'s tokens without sending them to the new server', async () => {
    await addProfile(['--token-endpoint', oldServer.url('/token'), '--client-id', 'client-a'], 'secret-of-client-a')
    expect((await t.run(['token', 'get'])).code).toBe(0)
    await addProfile(['--token-endpoint', newServer.url('/token')], 'secret-of-client-a')
    newServer.route('/revoke', json(200, {}))
    const edit = await t.run(['profiles', 'add', 'p', '--revocation-endpoint', newServer.url('/revoke')])
    expect(edit.code, edit.stderr).toBe(0)
    const out = await t.run(['logout', '--json'])
    expect(out.code, out.stderr).toBe(0)
    expect(JSON.parse(out.stdout)).toMatchObject({ deleted: 1, revoked: 0 })
    expect(sentTo(newServer)).not.toContain('old-server')
  })
})
