import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import { SECRET_VARIABLES } from '../../src/lib/integrations/exec.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { type FaultServer, tokenResponse, useFaultServer } from './fault-server.js'
import { writeProfiles } from './profile-files.js'

/**
 * Issue 14 row 9: `exec` hands the child the token variables it set, and none of the variables
 * that carry oauthctl's own secrets (a child is often a script that logs its environment).
 */
const PLANTED = {
  OAUTHCTL_CLIENT_SECRET: 'env-client-secret-0001',
  OAUTHCTL_PASSWORD: 'env-user-password-0001',
  OAUTHCTL_ADMIN_PASSWORD: 'env-admin-password-0001',
  OAUTHCTL_INITIAL_ACCESS_TOKEN: 'env-initial-access-token-0001',
  // Left over from an outer `oauthctl exec --htu`: a proof for a request this child did not ask for.
  OAUTHCTL_DPOP_PROOF: 'stale-outer-dpop-proof-0001',
}

let fault: FaultServer
let t: Sandboxed

useFaultServer((f) => (fault = f))
useIsolated((i) => (t = i))
beforeEach(async () => {
  await writeProfiles(t.configDir, { x: { endpoints: { token: fault.url('/token') }, clientId: 'exec-client' } })
  fault.route('/token', tokenResponse({ access_token: 'exec-access-token-0001' }))
})

describe('exec: the child environment', () => {
  it('drops every OAUTHCTL_* variable oauthctl reads a secret from (found in src/)', async () => {
    const src = resolve(import.meta.dirname, '../../src')
    const files = (await readdir(src, { recursive: true })).filter((f) => /\.c?ts$/.test(f))
    const names = new Set<string>()
    for (const file of files) for (const [name] of (await readFile(join(src, file), 'utf8')).matchAll(/OAUTHCTL_[A-Z_]+/g)) names.add(name)
    // The access token and its type are what exec exists to hand over.
    const secretLooking = [...names].filter((n) => /SECRET|PASSWORD|TOKEN$|PROOF|KEY$/.test(n) && n !== 'OAUTHCTL_ACCESS_TOKEN')
    expect(secretLooking.sort()).toEqual([...SECRET_VARIABLES].sort())
    expect(Object.keys(PLANTED).sort()).toEqual([...SECRET_VARIABLES].sort())
  })

  it('keeps the token variables and the user\'s own, drops oauthctl\'s secrets', async () => {
    const printEnv = 'process.stdout.write(JSON.stringify(process.env))'
    const result = await t.run(['exec', '-p', 'x', '--header-env', 'AUTH_HEADER', '--', process.execPath, '-e', printEnv], {
      env: { ...PLANTED, MY_OWN_VARIABLE: 'kept' },
    })
    expect(result.code, result.stderr).toBe(0)
    // The secret did authenticate the token request: it was used, then kept from the child.
    const basic = Buffer.from(fault.requests[0]?.headers.authorization?.replace(/^Basic /, '') ?? '', 'base64').toString()
    expect(decodeURIComponent(basic)).toBe('exec-client:env-client-secret-0001')
    const childEnv = JSON.parse(result.stdout) as Record<string, string>
    expect(childEnv.OAUTHCTL_ACCESS_TOKEN).toBe('exec-access-token-0001')
    expect(childEnv.OAUTHCTL_TOKEN_TYPE).toBe('Bearer')
    expect(childEnv.AUTH_HEADER).toBe('Bearer exec-access-token-0001')
    expect(childEnv.MY_OWN_VARIABLE).toBe('kept')
    for (const name of Object.keys(PLANTED)) expect(childEnv, name).not.toHaveProperty(name)
    for (const value of Object.values(PLANTED)) expect(result.stdout).not.toContain(value)
  })
})
