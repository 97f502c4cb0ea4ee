import { describe, expect, it } from 'vitest'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { type FaultServer, json, useFaultServer } from './fault-server.js'
import { expectOneErrorLine, writeProfiles } from './profile-files.js'

/**
 * RFC 7591 registration (`clients create` on a generic profile) against a registration endpoint
 * that answers what oidc-provider never would. The fault server is the issuer.
 */
let fault: FaultServer
let t: Sandboxed

useFaultServer((f) => (fault = f))
useIsolated((i) => (t = i), { OAUTHCTL_TIMEOUT: '2' })

const setUp = async () => {
  fault.route('/.well-known/openid-configuration', json(200, { issuer: fault.origin, token_endpoint: fault.url('/token'), registration_endpoint: fault.url('/reg'), response_types_supported: ['code'] }))
  await writeProfiles(t.configDir, { g: { issuer: fault.origin } })
}
const create = () => t.run(['clients', 'create', '--name', 'svc', '--grant-type', 'client_credentials'])
const issued = { client_id: 'c-1', client_name: 'svc', grant_types: ['client_credentials'], registration_access_token: 'rat-value-3141592653', registration_client_uri: 'http://127.0.0.1:1/reg/c-1' }

describe('clients create (RFC 7591): the registration response is checked', () => {
  it.each([
    ['answers 200 instead of 201 Created (§3.2)', json(200, { ...issued, client_secret: 'secret-value-2718281828', client_secret_expires_at: 0 }), /unexpected HTTP status code/],
    ['issues a secret without client_secret_expires_at (§3.2.1)', json(201, { ...issued, client_secret: 'secret-value-2718281828' }), /client_secret_expires_at/],
  ])('a registration endpoint that %s: exit 5, the secret never shown, nothing kept', async (_name, answer, cause) => {
    await setUp()
    fault.route('/reg', answer)
    const result = await create()
    expect(result.code, result.stderr).toBe(5)
    expectOneErrorLine(result.stderr, new RegExp(`^error: client registration \\(RFC 7591/7592\\) \\(POST /reg\\) returned an invalid response: .*${cause.source}`))
    expect(`${result.stdout}${result.stderr}`).not.toContain('secret-value-2718281828')
    expect(result.stdout).toBe('')
    expect(fault.count('/reg')).toBe(1)
  })

  it('a 503 is not retried: a repeated registration could register a second client (exit 5)', async () => {
    await setUp()
    fault.route('/reg', json(503, { error: 'temporarily_unavailable' }))
    const result = await create()
    expect(result.code, result.stderr).toBe(5)
    expectOneErrorLine(result.stderr, /^error: client registration \(RFC 7591\/7592\) \(POST \/reg\) failed \(status 503, application\/json\): temporarily_unavailable$/)
    expect(fault.count('/reg')).toBe(1)
  })
})
