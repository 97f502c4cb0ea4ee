import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Sandboxed } from '../helpers/cli.js'
import { type RunningCli, startCli } from '../helpers/cli-stream.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { type FaultServer, json, tokenResponse, useFaultServer } from './fault-server.js'
import { probe } from './http-probe.js'
import { clientSecretEntry, credentialsText, expectOneErrorLine, writeProfiles, writeSecrets } from './profile-files.js'

/**
 * Issue 14 row 10 (this task's part): a key or algorithm the verifier cannot use is a failed
 * verification (exit 4), not a bug (exit 1); so is a callback whose RFC 9207 `iss` names another
 * issuer. The fault server is the issuer: discovery, JWKS, token and authorization endpoints.
 */
let fault: FaultServer
let t: Sandboxed
const running: RunningCli[] = []

useFaultServer((f) => (fault = f))
useIsolated((i) => (t = i))
afterEach(async () => {
  for (const cli of running.splice(0)) {
    cli.signal('SIGKILL')
    await cli.done.catch(() => undefined)
  }
})

const tiny = generateKeyPairSync('rsa', { modulusLength: 1024 })
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)
const rs256 = (claims: Record<string, unknown>, key: KeyObject = tiny.privateKey) => {
  const input = `${b64({ alg: 'RS256', kid: 'tiny', typ: 'JWT' })}.${b64(claims)}`
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`
}

beforeEach(() => {
  fault.route(
    '/.well-known/openid-configuration',
    json(200, {
      issuer: fault.origin,
      authorization_endpoint: fault.url('/authorize'),
      token_endpoint: fault.url('/token'),
      jwks_uri: fault.url('/jwks'),
      response_types_supported: ['code'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    }),
  )
  fault.route('/jwks', json(200, { keys: [{ ...tiny.publicKey.export({ format: 'jwk' }), kid: 'tiny', alg: 'RS256', use: 'sig' }] }))
})

describe('a key the verifier refuses to use (a 1024-bit RSA key)', () => {
  it('token inspect --verify: exit 4 naming the key', async () => {
    await writeProfiles(t.configDir, { v: { issuer: fault.origin, clientId: 'verifier' } })
    const token = rs256({ iss: fault.origin, sub: 'someone', iat: now(), exp: now() + 600 })
    const result = await t.run(['token', 'inspect', '-', '--verify'], { stdin: token })
    expect(result.code, result.stderr).toBe(4)
    expectOneErrorLine(result.stderr, /^error: verification failed: the issuer's key cannot be used: .*2048/)
  })

  it('token inspect --verify: a malformed key (an RSA key without its exponent) is exit 4 too', async () => {
    await writeProfiles(t.configDir, { v: { issuer: fault.origin, clientId: 'verifier' } })
    const { e: _e, ...withoutExponent } = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' })
    fault.route('/jwks', json(200, { keys: [{ ...withoutExponent, kid: 'tiny', alg: 'RS256', use: 'sig' }] }))
    const result = await t.run(['token', 'inspect', '-', '--verify'], { stdin: rs256({ iss: fault.origin, sub: 'someone', iat: now(), exp: now() + 600 }) })
    expect(result.code, result.stderr).toBe(4)
    expectOneErrorLine(result.stderr, /^error: verification failed: the issuer's key cannot be used: /)
  })

  it('an ID token in a token response: exit 4, nothing stored', async () => {
    await writeProfiles(t.configDir, { r: { issuer: fault.origin, clientId: 'rp-client' } })
    await writeSecrets(t.configDir, clientSecretEntry('r', 'rp-client-secret-value-0001'))
    const before = await credentialsText(t.configDir)
    fault.route('/token', tokenResponse({ id_token: rs256({ iss: fault.origin, aud: 'rp-client', sub: 'user-1', iat: now(), exp: now() + 600 }) }))
    const result = await t.run(['token', 'get', '-p', 'r'])
    expect(result.code, result.stderr).toBe(4)
    expectOneErrorLine(result.stderr, /^error: verification failed: the issuer's key cannot be used: .*2048/)
    expect(await credentialsText(t.configDir)).toBe(before)
  })
})

describe('a callback whose iss is another issuer (RFC 9207)', () => {
  it('ends the login with exit 4 and stores nothing', async () => {
    await writeProfiles(t.configDir, { l: { issuer: fault.origin, clientId: 'login-client', authMethod: 'none' } })
    const cli = startCli(['login', '-p', 'l', '--no-open', '--timeout', '15'], t.env, { timeoutMs: 25_000 })
    running.push(cli)
    const url = new URL((await cli.waitForStderr(/^ {2}(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)$/m))[1] ?? '')
    const port = Number(new URL(url.searchParams.get('redirect_uri') ?? '').port)
    const state = url.searchParams.get('state') ?? ''
    const answer = await probe(port, `/callback?${new URLSearchParams({ code: 'mixed-up-code', state, iss: 'https://attacker.example.test' })}`)
    expect(answer.status).toBe(400)
    const result = await cli.done
    expect(result.code, result.stderr).toBe(4)
    expectOneErrorLine(result.stderr, /^error: the authorization response: unexpected "iss"/, [/^Open this URL in a browser/, /^ {2}http:\/\/127\.0\.0\.1/])
    expect(fault.count('/token')).toBe(0)
  })
})
