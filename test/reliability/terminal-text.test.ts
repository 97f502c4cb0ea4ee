import { beforeEach, describe, expect, it } from 'vitest'
import { renderTable } from '../../src/lib/output/table.js'
import type { CliResult, Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { type FaultServer, json, tokenResponse, useFaultServer } from './fault-server.js'
import { writeProfiles } from './profile-files.js'

/**
 * Issue 14 row 4: text a server chose reaches the terminal only with its control characters shown
 * escaped (an OSC 52 sequence would write the clipboard, a CSI one repaint the screen), in every
 * human-readable sink: info and warning lines, error lines, tables, the -v trace, inspect's
 * rendering. --json output carries the exact value (JSON escapes what needs escaping).
 */
const OSC52 = '\u001b]52;c;ZWNobyBwd25lZA==\u0007'
const CSI = '\u001b[2J\u001b[31m'
const C1_CSI = '\u009b31m'
const HOSTILE = `${OSC52}${CSI}${C1_CSI}\r`

/** Any control character but newline (and tab, which the sanitiser also keeps). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

let fault: FaultServer
let t: Sandboxed

useFaultServer((f) => (fault = f))
useIsolated((i) => (t = i))
beforeEach(async () => {
  await writeProfiles(t.configDir, {
    d: { endpoints: { device: fault.url('/device'), token: fault.url('/token') }, clientId: 'device-client', authMethod: 'none' },
  })
})

const expectClean = (result: CliResult) => {
  expect(result.stderr, JSON.stringify(result.stderr)).not.toMatch(RAW_CONTROL)
  expect(result.stdout, JSON.stringify(result.stdout)).not.toMatch(RAW_CONTROL)
}

const device = (fields: Record<string, unknown> = {}) =>
  json(200, { device_code: 'device-code-0001', user_code: `AB${HOSTILE}CD`, verification_uri: 'https://idp.example.test/device', expires_in: 60, interval: 1, ...fields })

describe('server text on the terminal', () => {
  it('device flow: user_code and error_description are shown escaped, in the plain and the -v run', async () => {
    fault.route('/device', device())
    fault.route('/token', json(400, { error: 'access_denied', error_description: `denied ${HOSTILE} by policy` }))
    for (const extra of [[], ['-v']]) {
      const result = await t.run(['login', '-p', 'd', '--flow', 'device', '--no-open', '--timeout', '10', ...extra])
      expect(result.code, result.stderr).toBe(4)
      expectClean(result)
      expect(result.stderr).toContain('enter the code: AB\\x1b]52;c;ZWNobyBwd25lZA==\\x07\\x1b[2J\\x1b[31m\\u009b31m\\rCD')
      expect(result.stderr).toMatch(/^error: access_denied: denied \\x1b\]52;c;ZWNobyBwd25lZA==\\x07\\x1b\[2J\\x1b\[31m\\u009b31m\\r by policy$/m)
    }
  })

  it('--json keeps the exact text', async () => {
    fault.route('/device', device())
    fault.route('/token', tokenResponse({ access_token: 'device-access-token-0001', scope: `read ${C1_CSI}` }))
    const result = await t.run(['login', '-p', 'd', '--flow', 'device', '--no-open', '--timeout', '10', '--json'])
    expect(result.code, result.stderr).toBe(0)
    expect((JSON.parse(result.stdout) as { scopes: string[] }).scopes).toEqual(['read', C1_CSI])
  })

  it('login summary, status table and -v trace: scopes from the token response are shown escaped', async () => {
    fault.route('/device', device({ user_code: 'WDJB-MJHT' }))
    fault.route('/token', tokenResponse({ access_token: 'device-access-token-0001', scope: `read ${HOSTILE}` }))
    const login = await t.run(['login', '-p', 'd', '--flow', 'device', '--no-open', '--timeout', '10', '-v'])
    expect(login.code, login.stderr).toBe(0)
    expectClean(login)
    expect(login.stderr).toMatch(/^logged in to .*scopes read \\x1b\]52;c;ZWNobyBwd25lZA==\\x07\\x1b\[2J\\x1b\[31m\\u009b31m\\r;/m)
    const status = await t.run(['status'])
    expect(status.code, status.stderr).toBe(0)
    expectClean(status)
    expect(status.stdout).toContain('read \\x1b]52;c;ZWNobyBwd25lZA==\\x07')
  })

  it('token inspect: claims are shown escaped; --json round-trips them', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
    const claims = { iss: 'https://idp.example.test', sub: 'user-1', name: `Eve ${HOSTILE}`, scope: `read ${CSI}`, exp: Math.floor(Date.now() / 1000) + 600 }
    const jwt = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64(claims)}.c2ln`
    const human = await t.run(['token', 'inspect', '-'], { stdin: jwt })
    expect(human.code, human.stderr).toBe(0)
    expectClean(human)
    expect(human.stdout).toMatch(/^scopes: read \\x1b\[2J\\x1b\[31m$/m)
    const asJson = await t.run(['token', 'inspect', '-', '--json'], { stdin: jwt })
    expect(asJson.code, asJson.stderr).toBe(0)
    expect(JSON.stringify(JSON.parse(asJson.stdout))).toContain(JSON.stringify(claims.name))
  })

  it('tables (client names from an admin API): one line per row, control characters and newlines escaped', () => {
    const table = renderTable(
      [
        { id: 'c1', name: `evil${OSC52}\nsecond line` },
        { id: 'c2', name: 'plain' },
      ],
      [
        ['id', 'ID'],
        ['name', 'NAME'],
      ],
    )
    const lines = table.split('\n')
    expect(lines).toHaveLength(3)
    expect(table).not.toMatch(RAW_CONTROL)
    expect(lines[1]).toBe('c1  evil\\x1b]52;c;ZWNobyBwd25lZA==\\x07\\nsecond line')
    expect(lines[0]).toBe('ID  NAME')
  })
})
