import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { secretKeys } from '../../src/lib/storage/keys.js'
import { FileStore } from '../../src/lib/storage/file.js'
import { endpoint, fixtureBody, fixtureResponse } from '../fakes/fixtures.js'
import { ADMIN, BASE_PATH, fixture, type NutanixClient, type NutanixFake, startNutanixFake } from '../fakes/nutanix.js'
import { isolated, type Sandboxed } from '../helpers/cli.js'
import { editConfig } from '../helpers/config-files.js'

let fake: NutanixFake
let t: Sandboxed
const PASSWORD_ENV = { OAUTHCTL_ADMIN_PASSWORD: ADMIN.password }

/** A Nutanix profile pointed at the fake; `username` is set in the file (profiles add has no flag for it yet). */
async function addProfile(name: string, username: string | null = ADMIN.username) {
  const added = await t.run(['profiles', 'add', name, '--provider', 'nutanix', '--host', fake.origin, '--token-endpoint', `${fake.origin}${BASE_PATH}/oauth/token`])
  expect(added, added.stderr).toMatchObject({ code: 0 })
  await editConfig(t.configDir, (config) => {
    if (username !== null) config.profiles[name].username = username
  })
}

beforeEach(async () => {
  fake = await startNutanixFake()
  t = await isolated(PASSWORD_ENV)
  await addProfile('nx')
})
afterEach(async () => {
  await t.cleanup()
  await fake.close()
})

const DEV_ID = '6f1d2c3b-8a94-4e57-b0c1-2d3e4f5a6b7c'
const basicHeader = endpoint(fixture, 'oauth_client_post').request.headers?.Authorization
const fixtureSecrets = fixtureBody<{ entities: Array<{ client_secret: string }> }>(fixture, 'oauth_client_list_post').entities.map((e) => e.client_secret)
const occurrences = (text: string, needle: string) => text.split(needle).length - 1

describe('nutanix: list and get', () => {
  it('lists with POST /oauth/client/list, Basic credentials and the v3 list body, showing no secret', async () => {
    const listed = await t.run(['clients', 'list'])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(new RegExp(`^ID\\s+NAME\\s+GRANT TYPES\\s+REDIRECT URIS\\s+CREATED\\n${DEV_ID}\\s+oauth-cli-dev\\s+http://127.0.0.1:8765/callback\\n`))
    expect(listed.stdout).toContain('reporting-export')
    for (const secret of fixtureSecrets) expect(listed.stdout).not.toContain(secret)
    const [request] = fake.requests
    expect(request).toMatchObject({ method: 'POST', path: `${BASE_PATH}/oauth/client/list`, contentType: 'application/json', json: { kind: 'oauth_client', offset: 0, length: 100 } })
    expect(request?.headers.authorization).toBe(basicHeader)
    expect(request?.headers.accept).toBe('application/json')
  })

  it.each(['output', 'input'] as const)('pages through 2,500 clients with --all (list metadata shape: %s)', async (shape) => {
    fake.seed(2500 - fake.clients.size)
    fake.options.maxLength = 200
    fake.options.metadata = shape
    const listed = await t.run(['clients', 'list', '--all', '--json'], { timeoutMs: 60_000 })
    expect(listed.code).toBe(0)
    const ids = JSON.parse(listed.stdout).map((c: { id: string }) => c.id)
    expect(new Set(ids).size).toBe(2500)
    const asked = fake.requests.map((r) => r.json as { offset: number; length: number })
    const expected = Array.from({ length: 13 }, (_, i) => i * 200)
    if (shape === 'output') {
      // total_matches and the served page size (200) give every offset: after the first page the rest go side by side, a page each.
      expect(asked[0]).toEqual({ kind: 'oauth_client', offset: 0, length: 500 })
      expect(asked.map((a) => a.offset).sort((a, b) => a - b)).toEqual(expected)
      expect(asked.slice(1).every((a) => a.length === Math.min(200, 2500 - a.offset))).toBe(true)
    } else {
      // Without total_matches pages follow one another, and only an empty page ends the list: one more request.
      expect(asked.map((a) => a.offset)).toEqual([...expected, 2500])
      expect(asked.every((a) => a.length === 500)).toBe(true)
    }
  })

  it('a list that shrank while it was read (total_matches says more than there are) ends at the first empty page', async () => {
    fake.seed(2500 - fake.clients.size)
    fake.options.maxLength = 200
    fake.options.totalMatches = 3000
    const listed = await t.run(['clients', 'list', '--all', '--json'], { timeoutMs: 60_000 })
    expect(listed.code).toBe(0)
    const ids = JSON.parse(listed.stdout).map((c: { id: string }) => c.id)
    expect([ids.length, new Set(ids).size]).toEqual([2500, 2500])
    // Offsets to 2800 side by side (the last two pages empty), then one request at 2500 says the list is done.
    expect(fake.requests.map((r) => (r.json as { offset: number }).offset).sort((a, b) => a - b)).toEqual([...Array.from({ length: 15 }, (_, i) => i * 200), 2500].sort((a, b) => a - b))
  })

  it('keeps a listed client’s own keys in raw, the ones the schema does not name too, with its secret redacted', async () => {
    const dev = fake.clients.get(DEV_ID) as Record<string, unknown>
    dev.owner_reference = { kind: 'user', name: 'admin' }
    const listed = await t.run(['clients', 'list', '--json'])
    expect(listed.code).toBe(0)
    const clients = JSON.parse(listed.stdout) as Array<{ id: string; raw: Record<string, unknown> }>
    expect(clients.find((c) => c.id === DEV_ID)?.raw).toMatchObject({ client_id: DEV_ID, owner_reference: { kind: 'user', name: 'admin' }, client_secret: '[REDACTED]' })
    expect(clients.every((c) => c.raw.client_secret === '[REDACTED]')).toBe(true)
    for (const secret of fixtureSecrets) expect(listed.stdout).not.toContain(secret)
  })

  it('a page further on with a client that is not one fails the whole listing (exit 5), naming the field, and prints nothing', async () => {
    fake.seed(1000 - fake.clients.size)
    fake.options.maxLength = 200
    fake.clients.set('not-a-client', { client_id: 'not-a-client', client_name: 42 } as unknown as NutanixClient)
    const listed = await t.run(['clients', 'list', '--all', '--json'], { timeoutMs: 60_000 })
    expect(listed.code).toBe(5)
    expect(listed.stdout).toBe('')
    expect(listed.stderr).toMatch(/returned an unexpected response: entities\.\d+\.client_name: /)
  })

  it('stops at --limit and says there are more', async () => {
    const listed = await t.run(['clients', 'list', '--limit', '1', '--json'])
    expect(JSON.parse(listed.stdout)).toHaveLength(1)
    expect(listed.stderr).toContain('showing the first 1 clients: --all lists every one')
    expect(fake.requests[0]?.json).toMatchObject({ offset: 0, length: 1 })
  })

  it('gets one client without its secret; a missing one shows the v3 error (exit 4)', async () => {
    const got = await t.run(['clients', 'get', DEV_ID, '--json'])
    expect(got.code).toBe(0)
    expect(JSON.parse(got.stdout)).toMatchObject({ id: DEV_ID, name: 'oauth-cli-dev', scopes: ['vm.read', 'cluster.read'], raw: { client_secret: '[REDACTED]' } })
    expect(got.stdout).not.toContain(fixtureSecrets[0])
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: `${BASE_PATH}/oauth/client/${DEV_ID}`, body: '' })

    const missing = await t.run(['clients', 'get', '0a0a0a0a-0000-4000-8000-000000000000'])
    expect(missing.code).toBe(4)
    expect(missing.stderr).toMatch(/^error: ENTITY_NOT_FOUND: oauth_client 0a0a0a0a-0000-4000-8000-000000000000 not found$/m)
  })
})

describe('nutanix: create, update, delete', () => {
  it('creates with the OauthClientInput body of the fixture and prints the secret once, never in the trace', async () => {
    const created = await t.run([
      'clients', 'create', '--name', 'oauth-cli-dev', '--redirect-uri', 'http://127.0.0.1:8765/callback', '--description', 'Developer CLI test client',
      '--scope', 'vm.read', '--scope', 'cluster.read', '-v',
    ])
    expect(created.code).toBe(0)
    const post = fake.writes()[0]
    expect(post).toMatchObject({ method: 'POST', path: `${BASE_PATH}/oauth/client`, contentType: 'application/json' })
    expect(post?.headers.authorization).toBe(basicHeader)
    expect(post?.json).toEqual(endpoint(fixture, 'oauth_client_post').request.body?.json)
    const secret = [...fake.clients.values()].at(-1)?.client_secret as string
    expect(occurrences(created.stdout, secret)).toBe(1)
    expect(created.stderr).toContain('authorization: Basic [REDACTED]')
    expect(created.stderr).not.toContain(secret)
    expect(created.stderr).not.toContain(ADMIN.password)
  })

  it('checks the name and description limits before sending anything (exit 2)', async () => {
    const long = await t.run(['clients', 'create', '--name', 'n'.repeat(65)])
    expect(long.code).toBe(2)
    expect(long.stderr).toContain('error: the client name is 65 characters: Nutanix allows 64')
    const description = await t.run(['clients', 'create', '--name', 'ok', '--description', 'd'.repeat(1001)])
    expect(description.code).toBe(2)
    expect(description.stderr).toContain('the description is 1001 characters: Nutanix allows 1000')
    const grant = await t.run(['clients', 'create', '--name', 'ok', '--grant-type', 'client_credentials', '--token-ttl', '60'])
    expect(grant.code).toBe(2)
    expect(grant.stderr).toContain('error: Nutanix Prism Central: clients have no grantTypes (--grant-type), tokenTtl (--token-ttl)')
    expect(fake.requests).toHaveLength(0)
  })

  it('shows the v3 error envelope of a 422 (exit 4)', async () => {
    fake.inject(fixtureResponse(fixture, 'oauth_client_post', 422))
    const created = await t.run(['clients', 'create', '--name', 'rejected'])
    expect(created.code).toBe(4)
    expect(created.stderr).toMatch(/^error: INVALID_REQUEST: client_name exceeds 64 characters$/m)
  })

  it('--dry-run prints the POST and sends nothing', async () => {
    const dry = await t.run(['clients', 'create', '--name', 'oauth-cli-dev', '--dry-run', '--json'])
    expect(dry.code).toBe(0)
    expect(JSON.parse(dry.stdout)).toEqual({
      dryRun: true,
      requests: [{ method: 'POST', url: `${fake.origin}${BASE_PATH}/oauth/client`, body: { client_name: 'oauth-cli-dev', redirect_uris: [], client_description: '', default_scopes: [] } }],
    })
    expect(fake.requests).toHaveLength(0)
  })

  it('updates with GET, then a PUT of the whole OauthClientInput (the fixture body)', async () => {
    const updated = await t.run([
      'clients', 'update', DEV_ID, '--redirect-uri', 'http://127.0.0.1:8765/callback', '--redirect-uri', 'http://localhost:8765/callback',
      '--description', 'Developer CLI test client (2 redirects)', '--scope', 'vm.read',
    ])
    expect(updated.code).toBe(0)
    expect(updated.stdout).toContain('redirect URIs: http://127.0.0.1:8765/callback, http://localhost:8765/callback')
    expect(fake.requests.map((r) => r.method)).toEqual(['GET', 'PUT'])
    expect(fake.requests[1]?.json).toEqual(endpoint(fixture, 'oauth_client_client_id_put').request.body?.json)
    const renamed = await t.run(['clients', 'update', DEV_ID, '--name', 'renamed'])
    expect(renamed.code).toBe(0)
    expect(fake.clients.get(DEV_ID)).toMatchObject({ client_name: 'renamed', default_scopes: ['vm.read'] })
  })

  it('deletes with --yes; deleting again is success; without --yes it refuses (exit 2)', async () => {
    const refused = await t.run(['clients', 'delete', DEV_ID])
    expect(refused.code).toBe(2)
    expect(fake.writes()).toHaveLength(0)
    const deleted = await t.run(['clients', 'delete', DEV_ID, '--yes'])
    expect(deleted.code).toBe(0)
    expect(deleted.stdout).toBe(`deleted client ${DEV_ID}\n`)
    expect(fake.writes().map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE ${BASE_PATH}/oauth/client/${DEV_ID}`])
    expect(fake.clients.has(DEV_ID)).toBe(false)
    const again = await t.run(['clients', 'delete', DEV_ID, '--yes'])
    expect(again.code).toBe(0)
    expect(again.stdout).toBe(`client ${DEV_ID} was already gone: nothing to delete\n`)
  })

  it('cannot rotate secrets, nor serve the Genesys-only commands (exit 2, nothing sent)', async () => {
    const rotated = await t.run(['clients', 'rotate-secret', DEV_ID, '--yes'])
    expect(rotated.code).toBe(2)
    expect(rotated.stderr).toMatch(/^error: Nutanix Prism Central cannot rotate client secrets: the v3 API has no secret rotation/m)
    for (const args of [['clients', 'usage', DEV_ID], ['scopes', 'list'], ['authorizations', 'get', DEV_ID]]) {
      const result = await t.run(args)
      expect(result.code).toBe(2)
      expect(result.stderr).toContain('only Genesys Cloud offers this')
    }
    expect(fake.requests).toHaveLength(0)
  })
})

describe('nutanix: credentials', () => {
  it('shows a non-JSON 401 clearly, with a hint (exit 4)', async () => {
    const listed = await t.run(['clients', 'list'], { env: { OAUTHCTL_ADMIN_PASSWORD: 'wrong-password-value' } })
    expect(listed.code).toBe(4)
    expect(listed.stderr).toMatch(/^error: Nutanix Prism Central \(POST \/api\/nutanix\/v3\/oauth\/client\/list\) refused the request \(status 401, text\/html\)$/m)
    expect(listed.stderr).toMatch(/^hint: Prism Central refused the credentials: check the profile's username and the admin password of profile nx$/m)
    expect(listed.stderr).not.toContain('wrong-password-value')
  })

  it('reads the password from secret storage when the environment has none', async () => {
    await new FileStore(t.configDir).set(secretKeys.adminPassword('nx'), ADMIN.password)
    const listed = await t.run(['clients', 'list', '--json'], { env: { OAUTHCTL_ADMIN_PASSWORD: undefined } })
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.stdout)).toHaveLength(2)
  })

  it('exits 3 without a password, and 2 without a user name, sending nothing', async () => {
    const noPassword = await t.run(['clients', 'list'], { env: { OAUTHCTL_ADMIN_PASSWORD: undefined } })
    expect(noPassword.code).toBe(3)
    expect(noPassword.stderr).toMatch(/^error: no Prism Central password for profile nx$/m)
    await addProfile('anon', null)
    const noUser = await t.run(['clients', 'list', '-p', 'anon'])
    expect(noUser.code).toBe(2)
    expect(noUser.stderr).toContain('error: profile anon has no Nutanix user name')
    expect(fake.requests).toHaveLength(0)
  })

  it('refuses plain http to a host that is not loopback (exit 2)', async () => {
    await editConfig(t.configDir, (config) => {
      config.profiles.nx.host = 'http://prism.example.test:9440'
    })
    const listed = await t.run(['clients', 'list'])
    expect(listed.code).toBe(2)
    expect(listed.stderr).toContain('refusing plain http for Nutanix Prism Central on prism.example.test:9440')
  })
})

describe('nutanix: native documents (get --native, --from-file)', () => {
  it('get --json --native prints the v3 client as returned, secret redacted; edited, update --from-file sends it back', async () => {
    const got = await t.run(['clients', 'get', DEV_ID, '--json', '--native'])
    expect(got, got.stderr).toMatchObject({ code: 0 })
    const doc = JSON.parse(got.stdout)
    const stored = fake.clients.get(DEV_ID) as Record<string, unknown>
    expect(doc).toEqual({ ...stored, client_secret: '[REDACTED]' })
    for (const secret of fixtureSecrets) expect(got.stdout).not.toContain(secret)

    doc.client_description = 'edited in the native document'
    doc.default_scopes = [...doc.default_scopes, 'cluster.read']
    const path = join(t.home, 'client.json')
    await writeFile(path, JSON.stringify(doc))
    fake.clearLog()
    const updated = await t.run(['clients', 'update', DEV_ID, '--from-file', path])
    expect(updated, updated.stderr).toMatchObject({ code: 0 })
    const put = fake.requests.find((r) => r.method === 'PUT')
    // OauthClientInput, whole: the id and the (redacted) secret stay behind.
    expect(put?.json).toEqual({ client_name: doc.client_name, redirect_uris: doc.redirect_uris, client_description: 'edited in the native document', default_scopes: doc.default_scopes })
    expect(fake.clients.get(DEV_ID)).toMatchObject({ client_description: 'edited in the native document', client_secret: stored.client_secret })
    expect(JSON.parse((await t.run(['clients', 'get', DEV_ID, '--json', '--native'])).stdout)).toEqual(doc)
  })
})
