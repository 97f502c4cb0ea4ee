import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isolated, type Sandboxed } from '../helpers/cli.js'
import { LeakLog } from './leak-check.js'

/**
 * The admin commands of Genesys Cloud (clients, scopes, authorizations, usage), whose API returns
 * client secrets inside its bodies, run with --json and with -v against the Genesys fake: the admin
 * client's secret, its access token and every fixture client's secret stay out of the output,
 * except the new secret that `clients create` and `clients rotate-secret` exist to print.
 * These commands are still being built by another engineer: the file runs when they (and the fake)
 * exist in this tree.
 */
const ROOT = resolve(import.meta.dirname, '../..')
const present = ['dist/commands/scopes/list.js', 'dist/commands/authorizations/list.js', 'dist/commands/clients/usage.js', 'test/fakes/genesys.ts'].every((f) => existsSync(resolve(ROOT, f)))

const CC_ID = '3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21'
const CODE_ID = '8c7b6a59-4d3e-4f21-9a0b-c1d2e3f4a5b6'

describe.runIf(present)('secrets never leak: Genesys Cloud administration', () => {
  let fake: { origin: string; close(): Promise<void> }
  let admin: { clientId: string; secret: string }
  let fixtureSecrets: string[]
  let t: Sandboxed
  const log = new LeakLog()

  beforeAll(async () => {
    const genesys = await import('../fakes/genesys.js')
    const { fixtureBody } = await import('../fakes/fixtures.js')
    fake = await genesys.startGenesysFake()
    admin = genesys.ADMIN
    fixtureSecrets = fixtureBody<{ entities: Array<{ secret?: string }> }>(genesys.fixture, 'getOauthClients').entities.flatMap((e) => (e.secret ? [e.secret] : []))
    t = await isolated()
    log.plant('planted: admin client secret', admin.secret)
    fixtureSecrets.forEach((s, i) => log.plant(`fixture client secret ${i}`, s))
  })
  afterAll(async () => {
    await t?.cleanup()
    await fake?.close()
  })

  it('through every admin command, with --json or -v', async () => {
    expect(fixtureSecrets.length).toBeGreaterThan(0)
    const g = ['-p', 'g']
    await log.step(t, { args: ['profiles', 'add', 'g', '--provider', 'genesys', '--region', fake.origin, '--token-endpoint', `${fake.origin}/oauth/token`, '--client-id', admin.clientId, '--client-secret-stdin'], stdin: admin.secret, exit: 0 })
    await log.step(t, { args: ['token', 'get', ...g], exit: 0, printsTokensOf: 'g' })
    await log.step(t, { args: ['clients', 'list', ...g], exit: 0 })
    await log.step(t, { args: ['clients', 'get', CC_ID, ...g], exit: 0 })
    await log.step(t, { args: ['clients', 'usage', CC_ID, '--days', '7', ...g], exit: 0 })
    await log.step(t, { args: ['scopes', 'list', ...g], exit: 0 })
    await log.step(t, { args: ['scopes', 'get', 'users:readonly', ...g], exit: 0 })
    await log.step(t, { args: ['authorizations', 'list', ...g], exit: 0 })
    await log.step(t, { args: ['authorizations', 'get', CODE_ID, ...g], exit: 0 })
    const [created] = await log.step(t, { args: ['clients', 'create', '--name', 'leak-check', '--grant-type', 'client_credentials', ...g], exit: 0 })
    const id = (JSON.parse(created.stdout) as { client: { id: string } }).client.id
    await log.step(t, { args: ['clients', 'update', id, '--name', 'leak-check-renamed', ...g], exit: 0 })
    // Rotating prints the new secret (allowed, not in the set); the old fixture secret must not appear.
    await log.step(t, { args: ['clients', 'rotate-secret', CODE_ID, '--yes', ...g], exit: 0 })
    await log.step(t, { args: ['clients', 'delete', id, '--yes', ...g], exit: 0, once: true })
    await log.step(t, { args: ['status'], exit: 0 })

    expect(log.exitMismatches).toEqual([])
    expect(log.leaks()).toEqual([])
    // The admin's access token was harvested from storage, so the check covered it too.
    expect([...log.secrets.values()].flat().some((l) => l.startsWith('profile/g/token/'))).toBe(true)
    expect(log.jsonContractViolations()).toEqual([])
  }, 90_000)
})
