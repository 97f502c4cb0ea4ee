import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { type FaultServer, tokenResponse, useFaultServer } from './fault-server.js'
import { clientSecretEntry, expectOneErrorLine, writeProfiles, writeSecrets } from './profile-files.js'

/**
 * Issue 14 row 6: a proxy that accepts connections and never answers. A request that goes through
 * it (to `idp.invalid`, a name only the proxy ever sees: no DNS, no network) must fail within the
 * timeouts; a request to a loopback address must not go through it at all, whatever NO_PROXY says.
 */
let fault: FaultServer
let t: Sandboxed
let proxy: Server
let proxyUrl: string
let connections: number
const sockets = new Set<Socket>()

useFaultServer((f) => (fault = f))
useIsolated((i) => (t = i), { OAUTHCTL_TIMEOUT: '1', OAUTHCTL_CONNECT_TIMEOUT: '1' })
beforeEach(async () => {
  connections = 0
  proxy = createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.once('close', () => sockets.delete(socket))
    socket.resume() // read the CONNECT or request, answer nothing
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
})
afterEach(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise((resolve) => proxy.close(resolve))
})

const proxyEnv = (extra: Record<string, string> = {}) => ({ HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl, https_proxy: proxyUrl, http_proxy: proxyUrl, ...extra })

/** Three attempts of at most 1 s each, the backoff between them, and the CLI's start. */
const BOUND_MS = 12_000

describe('HTTP(S)_PROXY', () => {
  it('a silent proxy: the request fails within the timeouts (exit 5), not hangs', async () => {
    await writeProfiles(t.configDir, { r: { endpoints: { token: 'https://idp.invalid/token' }, clientId: 'remote-client' } })
    await writeSecrets(t.configDir, clientSecretEntry('r', 'remote-client-secret-0001'))
    const result = await t.run(['token', 'get', '-p', 'r'], { env: proxyEnv(), timeoutMs: 20_000 })
    expect(result.code, result.stderr).toBe(5)
    expectOneErrorLine(result.stderr, /^error: (token endpoint \(client_credentials\)|idp\.invalid) did not answer within 1 s$/)
    expect(result.ms).toBeLessThan(BOUND_MS)
    expect(connections).toBeGreaterThan(0)
  })

  it.each([
    ['NO_PROXY unset', {}],
    ['NO_PROXY naming other hosts', { NO_PROXY: 'example.com,.corp.example', no_proxy: 'example.com' }],
  ])('loopback targets bypass the proxy (%s)', async (_name, extra) => {
    await writeProfiles(t.configDir, { l: { endpoints: { token: fault.url('/token') }, clientId: 'local-client' } })
    await writeSecrets(t.configDir, clientSecretEntry('l', 'local-client-secret-0001'))
    fault.route('/token', tokenResponse({ access_token: 'local-access-token-0001' }))
    const result = await t.run(['token', 'get', '-p', 'l'], { env: proxyEnv(extra), timeoutMs: 20_000 })
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.trim()).toBe('local-access-token-0001')
    expect(connections).toBe(0)
  })
})
