import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { type FaultServer, json, tokenResponse, useFaultServer } from './fault-server.js'
import { expectOneErrorLine, writeProfiles } from './profile-files.js'

/**
 * Issue 14 row 3: every URL a server hands us for the browser (the device flow's verification
 * URIs, the discovered authorization endpoint) is checked before it is shown or opened. BROWSER is
 * a stub that records its argv, so a refused URL is proven never to have reached a browser.
 */
let fault: FaultServer
let t: Sandboxed
let argvLog: string

useFaultServer((f) => (fault = f))
useIsolated((i) => (t = i))
beforeEach(async () => {
  argvLog = join(t.home, 'browser-argv.jsonl')
  const stub = join(t.home, 'browser-stub.mjs')
  await writeFile(stub, `import { appendFileSync } from 'node:fs'\nappendFileSync(${JSON.stringify(argvLog)}, JSON.stringify(process.argv.slice(2)) + '\\n')\n`)
  t.env.BROWSER = `${process.execPath} ${stub}`
  await writeProfiles(t.configDir, {
    d: { endpoints: { device: fault.url('/device'), token: fault.url('/token') }, clientId: 'device-client', authMethod: 'none' },
  })
})

const browserCalls = () =>
  readFile(argvLog, 'utf8').then(
    (text) => text.trim().split('\n').map((line) => JSON.parse(line) as string[]),
    () => [] as string[][],
  )

const deviceAnswer = (fields: Record<string, unknown>) =>
  json(200, { device_code: 'device-code-0001', user_code: 'WDJB-MJHT', verification_uri: 'https://idp.example.test/device', expires_in: 60, interval: 1, ...fields })

describe('device flow: server-supplied links', () => {
  const hostile: Array<[string, Record<string, unknown>]> = [
    ['an option for the browser as verification_uri_complete', { verification_uri_complete: '--gpu-launcher=touch /tmp/pwned' }],
    ['a javascript: URL', { verification_uri_complete: 'javascript:alert(document.cookie)' }],
    ['a file: URL', { verification_uri_complete: 'file:///etc/shadow' }],
    ['plain http to a non-loopback host', { verification_uri_complete: 'http://idp.example.test/device?user_code=WDJB-MJHT' }],
    ['a relative URL', { verification_uri_complete: '/device?user_code=WDJB-MJHT' }],
    ['a newline and a second argument', { verification_uri_complete: 'https://idp.example.test/device\n--incognito' }],
    ['a space inside', { verification_uri_complete: 'https://idp.example.test/a b' }],
    ['an escape sequence in verification_uri (shown, not opened)', { verification_uri: 'https://idp.example.test/\u001b]52;c;cHduZWQ=\u0007' }],
  ]
  it.each(hostile)('refuses %s: exit 5, nothing opened, nothing polled', async (_name, fields) => {
    fault.route('/device', deviceAnswer(fields))
    fault.route('/token', json(400, { error: 'access_denied' }))
    const result = await t.run(['login', '-p', 'd', '--flow', 'device', '--timeout', '10'])
    expect(result.code, result.stderr).toBe(5)
    expectOneErrorLine(result.stderr, /^error: the device authorization endpoint sent a verification URI that is not safe to open \(.+\)$/)
    expect(await browserCalls()).toEqual([])
    expect(fault.count('/token')).toBe(0)
    // The refused value is never printed raw (it may carry escape sequences or a newline).
    expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
  })

  it('opens a safe https link as one argument after the BROWSER arguments, and logs in', async () => {
    const complete = 'https://idp.example.test/device?user_code=WDJB-MJHT'
    fault.route('/device', deviceAnswer({ verification_uri_complete: complete }))
    fault.route('/token', tokenResponse({ access_token: 'device-access-token-0001' }))
    const result = await t.run(['login', '-p', 'd', '--flow', 'device', '--timeout', '10'])
    expect(result.code, result.stderr).toBe(0)
    expect(await browserCalls()).toEqual([[complete]])
  })
})

describe('code flow: the discovered authorization endpoint', () => {
  // Discovery refuses a non-http(s) endpoint, and plain http to a remote host unless --insecure;
  // --insecure lets the requests go over http, not the browser: it is sent to https or loopback only.
  it('refuses a plain http authorization URL to a remote host even with --insecure: nothing printed or opened', async () => {
    fault.route('/.well-known/openid-configuration', json(200, { issuer: fault.origin, authorization_endpoint: 'http://idp.example.test/authorize', token_endpoint: fault.url('/token'), response_types_supported: ['code'] }))
    await writeProfiles(t.configDir, { c: { issuer: fault.origin, clientId: 'code-client', authMethod: 'none' } })
    const result = await t.run(['login', '-p', 'c', '--timeout', '3', '--insecure'])
    expect(result.code, result.stderr).toBe(5)
    expectOneErrorLine(result.stderr, /^error: the authorization endpoint makes an authorization URL that is not safe to open \(plain http to idp\.example\.test; only loopback hosts may use http\)$/)
    expect(await browserCalls()).toEqual([])
    expect(result.stderr).not.toContain('idp.example.test/authorize?')
  })
})
