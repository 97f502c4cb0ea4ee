import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fixtureResponse } from '../fakes/fixtures.js'
import { ACCOUNT, ADMIN, fixture, type PhonecomFake, startPhonecomFake } from '../fakes/phonecom.js'
import { isolated, type Sandboxed } from '../helpers/cli.js'

let fake: PhonecomFake
let t: Sandboxed

beforeEach(async () => {
  fake = await startPhonecomFake()
  t = await isolated()
  const added = await t.run(
    ['profiles', 'add', 'pc', '--provider', 'phonecom', '--token-endpoint', `${fake.origin}/v4/oauth/access-token`, '--client-id', ADMIN.clientId, '--client-secret-stdin', '--scope', 'account-owner'],
    { stdin: ADMIN.secret },
  )
  expect(added, added.stderr).toMatchObject({ code: 0 })
})
afterEach(async () => {
  await t.cleanup()
  await fake.close()
})

const clientsPath = `/v4/accounts/${ACCOUNT}/oauth/clients`
const api = () => fake.requests.filter((r) => r.path.startsWith('/v4/accounts/'))

describe('phone.com: list and get', () => {
  it('finds the account from the token details, then lists its clients with limit/offset', async () => {
    const listed = await t.run(['clients', 'list'])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+GRANT TYPES\s+REDIRECT URIS\s+CREATED\n1201\s+Reporting Sync\n1207\s+CLI Dev Client\n$/)
    const [details] = fake.requests.filter((r) => r.method === 'GET' && r.path === '/v4/oauth/access-token')
    expect(details?.headers.authorization).toMatch(/^Bearer pc_at_/)
    expect(api().map((r) => [r.method, r.path, r.query, r.headers.accept])).toEqual([['GET', clientsPath, { limit: '100', offset: '0' }, 'application/json']])
  })

  it('pages through 2,500 clients with --all', async () => {
    fake.seed(2500 - fake.clients.size)
    const listed = await t.run(['clients', 'list', '--all', '--json'], { timeoutMs: 60_000 })
    expect(listed.code).toBe(0)
    expect(new Set(JSON.parse(listed.stdout).map((c: { id: string }) => c.id)).size).toBe(2500)
    expect(api().map((r) => Number(r.query.offset))).toEqual(Array.from({ length: 25 }, (_, i) => i * 100))
  })

  it('gets a client with its redirect URIs; a missing one shows the Mason 404 (exit 4)', async () => {
    const got = await t.run(['clients', 'get', '1207', '--json'])
    expect(got.code).toBe(0)
    expect(JSON.parse(got.stdout)).toMatchObject({ id: '1207', name: 'CLI Dev Client', redirectUris: ['https://cli.example.test/callback'] })
    expect(api().map((r) => r.path)).toEqual([`${clientsPath}/1207`, `${clientsPath}/1207/redirect-uris`])

    const missing = await t.run(['clients', 'get', '999'])
    expect(missing.code).toBe(4)
    expect(missing.stderr).toMatch(/^error: Not Found$/m)
    const notNumber = await t.run(['clients', 'get', 'abc'])
    expect(notNumber.code).toBe(2)
    expect(notNumber.stderr).toContain('phone.com client ids are numbers')
  })
})

describe('phone.com: update and delete', () => {
  it('makes the redirect URIs exactly the given set: POST the new one, then DELETE the old', async () => {
    const dry = await t.run(['clients', 'update', '1207', '--redirect-uri', 'http://127.0.0.1:8765/callback', '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toBe(
      `dry run: would send\nPOST ${fake.origin}${clientsPath}/1207/redirect-uris\n{\n  "redirect_uri": "http://127.0.0.1:8765/callback"\n}\nDELETE ${fake.origin}${clientsPath}/1207/redirect-uris/88\n`,
    )
    expect(fake.writes()).toHaveLength(0)

    const updated = await t.run(['clients', 'update', '1207', '--redirect-uri', 'http://127.0.0.1:8765/callback', '--json'])
    expect(updated.code).toBe(0)
    expect(JSON.parse(updated.stdout)).toMatchObject({ id: '1207', redirectUris: ['http://127.0.0.1:8765/callback'] })
    const writes = fake.writes()
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${clientsPath}/1207/redirect-uris`, `DELETE ${clientsPath}/1207/redirect-uris/88`])
    expect(writes[0]?.contentType).toBe('application/json')
    expect(writes[0]?.json).toEqual({ redirect_uri: 'http://127.0.0.1:8765/callback' })

    const name = await t.run(['clients', 'update', '1207', '--name', 'x'])
    expect(name.code).toBe(2)
    expect(name.stderr).toContain('error: phone.com: clients have no name (--name)')
  })

  it('deletes with --yes; deleting again is success', async () => {
    const deleted = await t.run(['clients', 'delete', '1207', '--yes'])
    expect(deleted.code).toBe(0)
    expect(deleted.stdout).toBe('deleted client 1207\n')
    expect(fake.writes().map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE ${clientsPath}/1207`])
    const again = await t.run(['clients', 'delete', '1207', '--yes'])
    expect(again.code).toBe(0)
    expect(again.stdout).toBe('client 1207 was already gone: nothing to delete\n')
  })

  it('shows the Mason 409 conflict (exit 4), and refuses without --yes (exit 2)', async () => {
    fake.conflicts.add(1201)
    const refused = await t.run(['clients', 'delete', '1201'])
    expect(refused.code).toBe(2)
    expect(fake.writes()).toHaveLength(0)
    const conflict = await t.run(['clients', 'delete', '1201', '--yes'])
    expect(conflict.code).toBe(4)
    expect(conflict.stderr).toMatch(/^error: Conflict$/m)
    expect(fake.clients.has(1201)).toBe(true)
  })

  it('shows a Mason 422 with its messages (exit 4)', async () => {
    fake.inject(fixtureResponse(fixture, 'create-oauth-access-token.error', 422), (r) => r.method === 'POST' && r.path.endsWith('/redirect-uris'))
    const updated = await t.run(['clients', 'update', '1207', '--redirect-uri', 'https://cli.example.test/callback', '--redirect-uri', 'https://two.example.test/cb'])
    expect(updated.code).toBe(4)
    expect(updated.stderr).toMatch(/^error: Invalid data: grant_type is required$/m)
  })

  it('cannot create clients or rotate secrets (exit 2, nothing sent)', async () => {
    const created = await t.run(['clients', 'create', '--name', 'x'])
    expect(created.code).toBe(2)
    expect(created.stderr).toMatch(/^error: phone.com cannot create clients: API v4 has no operation that creates OAuth clients/m)
    const rotated = await t.run(['clients', 'rotate-secret', '1207', '--yes'])
    expect(rotated.code).toBe(2)
    expect(rotated.stderr).toMatch(/^error: phone.com cannot rotate client secrets/m)
    expect(fake.requests).toHaveLength(0)
  })

  it('says which scope it needs when the token names no account (exit 2)', async () => {
    fake.inject({ status: 200, headers: { 'Content-Type': 'application/json' }, body: { scope: 'extension-user', expires_at: 1742031600 } }, (r) => r.method === 'GET' && r.path === '/v4/oauth/access-token')
    const listed = await t.run(['clients', 'list'])
    expect(listed.code).toBe(2)
    expect(listed.stderr).toMatch(/^hint: client administration needs an account-owner token/m)
    expect(api()).toHaveLength(0)
  })
})

describe('phone.com: native documents (get --native, --from-file)', () => {
  it('get --json --native prints the client with its redirect-uris items as returned; edited, update --from-file changes exactly those', async () => {
    const got = await t.run(['clients', 'get', '1207', '--json', '--native'])
    expect(got, got.stderr).toMatchObject({ code: 0 })
    const doc = JSON.parse(got.stdout)
    expect(doc).toMatchObject({ id: 1207, client_name: 'CLI Dev Client', redirect_uris: [expect.objectContaining({ id: expect.any(Number) })] })

    const kept = doc.redirect_uris.slice(1)
    doc.redirect_uris = [...kept, 'https://app.example.test/new-callback']
    const path = join(t.home, 'client.json')
    await writeFile(path, JSON.stringify(doc))
    fake.clearLog()
    const updated = await t.run(['clients', 'update', '1207', '--from-file', path, '--json'])
    expect(updated, updated.stderr).toMatchObject({ code: 0 })
    const removed = JSON.parse(got.stdout).redirect_uris[0]
    expect(fake.writes().map((r) => [r.method, r.path, r.json])).toEqual([
      ['POST', `${clientsPath}/1207/redirect-uris`, { redirect_uri: 'https://app.example.test/new-callback' }],
      ['DELETE', `${clientsPath}/1207/redirect-uris/${removed.id}`, undefined],
    ])
    const again = JSON.parse((await t.run(['clients', 'get', '1207', '--json', '--native'])).stdout)
    expect(again.redirect_uris.map((item: { redirect_uri: unknown }) => item.redirect_uri)).toEqual([...kept.map((item: { redirect_uri: unknown }) => item.redirect_uri), expect.anything()])
    expect(JSON.parse(updated.stdout).redirectUris).toEqual([...kept.map((item: { redirect_uri: string | { redirect_uri: string } }) => (typeof item.redirect_uri === 'string' ? item.redirect_uri : item.redirect_uri.redirect_uri)), 'https://app.example.test/new-callback'])
  })
})
