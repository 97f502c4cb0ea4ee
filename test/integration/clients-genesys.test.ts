import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { basicCredentials, endpoint, fixtureBody, fixtureResponse, json } from '../fakes/fixtures.js'
import { ADMIN, fixture, type GenesysFake, useGenesysAdmin } from '../fakes/genesys.js'
import type { Sandboxed } from '../helpers/cli.js'
import { credentialEntries, readConfig } from '../helpers/config-files.js'

let fake: GenesysFake
let t: Sandboxed

useGenesysAdmin((f, i) => {
  fake = f
  t = i
})

const CC_ID = '3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21'
const CODE_ID = '8c7b6a59-4d3e-4f21-9a0b-c1d2e3f4a5b6'
const api = () => fake.requests.filter((r) => r.path.startsWith('/api/v2/'))
const fixtureSecrets = fixtureBody<{ entities: Array<{ secret?: string }> }>(fixture, 'getOauthClients').entities.flatMap((e) => (e.secret ? [e.secret] : []))
const occurrences = (text: string, needle: string) => text.split(needle).length - 1
const bearerHeader = expect.stringMatching(/^Bearer gc_at_[0-9a-f]+$/)

describe('genesys: list and get', () => {
  it('lists clients as a table and as JSON, with the wire format of the fixture and no secret', async () => {
    const table = await t.run(['clients', 'list'])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^ID\s+NAME\s+GRANT TYPES\s+REDIRECT URIS\s+CREATED\n/)
    expect(table.stdout).toMatch(new RegExp(`${CC_ID}\\s+Nightly Export \\(CC\\)\\s+client_credentials\\s+2025-01-10T15:04:05.000Z`))
    expect(table.stdout).toMatch(new RegExp(`${CODE_ID}\\s+Oauth CLI \\(code\\)\\s+authorization_code\\s+http://127.0.0.1:8765/callback`))

    const listed = await t.run(['clients', 'list', '--json'])
    const clients = JSON.parse(listed.stdout)
    expect(clients.map((c: { id: string; grantTypes: string[] }) => [c.id, c.grantTypes])).toEqual([
      [CC_ID, ['client_credentials']],
      [CODE_ID, ['authorization_code']],
      ['1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9', ['implicit']],
    ])
    expect(clients[0]).toMatchObject({ name: 'Nightly Export (CC)', tokenTtl: 86400, state: 'active', raw: { secret: '[REDACTED]', roleDivisions: [expect.any(Object)] } })
    for (const secret of fixtureSecrets) expect(table.stdout + listed.stdout).not.toContain(secret)

    // The token request of the fixture: Basic with the admin client, form-encoded client_credentials.
    const tokenRequests = fake.requests.filter((r) => r.path === '/oauth/token')
    expect(tokenRequests).toHaveLength(1) // the second run took the cached token
    const tokenFixture = endpoint(fixture, 'token.client_credentials').request
    // Byte for byte: Genesys's SDKs send base64(id:secret) with nothing form-encoded.
    expect(tokenRequests[0]?.headers.authorization).toBe(tokenFixture.headers?.Authorization)
    expect(tokenRequests[0]?.contentType).toMatch(/^application\/x-www-form-urlencoded/)
    expect(tokenRequests[0]?.form).toEqual(tokenFixture.body?.form)
    expect(api().map((r) => [r.method, r.path, r.headers.authorization, r.headers.accept])).toEqual([
      ['GET', '/api/v2/oauth/clients', bearerHeader, 'application/json'],
      ['GET', '/api/v2/oauth/clients', bearerHeader, 'application/json'],
    ])
  })

  it('follows nextUri across 2,500 clients with --all, and stops at --limit otherwise', async () => {
    fake.seed(2500 - fake.clients.size)
    fake.options.pageSize = 100
    const all = await t.run(['clients', 'list', '--all', '--json'], { timeoutMs: 60_000 })
    expect(all.code).toBe(0)
    const ids = JSON.parse(all.stdout).map((c: { id: string }) => c.id)
    expect(ids).toHaveLength(2500)
    expect(new Set(ids).size).toBe(2500)
    const pages = api()
    expect(pages).toHaveLength(25)
    expect(pages[0]?.query).toEqual({})
    expect(pages[24]?.query).toEqual({ pageSize: '100', pageNumber: '25' })

    fake.clearLog()
    const first = await t.run(['clients', 'list', '--json'])
    expect(JSON.parse(first.stdout)).toHaveLength(100)
    expect(first.stderr).toContain('showing the first 100 clients: --all lists every one')
    expect(api()).toHaveLength(1)

    const limited = await t.run(['clients', 'list', '--limit', '150', '--json'])
    expect(JSON.parse(limited.stdout)).toHaveLength(150)
    expect(api()).toHaveLength(3)
    expect((await t.run(['clients', 'list', '--all', '--limit', '5'])).code).toBe(2)
  })

  it('gets one client without its secret, and shows the 404 body (exit 4)', async () => {
    const got = await t.run(['clients', 'get', CC_ID])
    expect(got.code).toBe(0)
    expect(got.stdout).toContain(`id: ${CC_ID}\nname: Nightly Export (CC)\ndescription: Service client for exports\ngrant types: client_credentials`)
    expect(got.stdout).toContain('token TTL: 86400 s\nstate: active')
    for (const secret of fixtureSecrets) expect(got.stdout).not.toContain(secret)
    expect(api().at(-1)).toMatchObject({ method: 'GET', path: `/api/v2/oauth/clients/${CC_ID}` })

    const missing = await t.run(['clients', 'get', 'no-such-client'])
    expect(missing.code).toBe(4)
    expect(missing.stderr).toMatch(/^error: not\.found: The requested OAuth client does not exist$/m)
  })
})

describe('genesys: create and update', () => {
  it('creates a client-credentials client with the fixture body, printing the secret once and never in the trace', async () => {
    const sent = endpoint(fixture, 'postOauthClients').request.body?.json as { roleDivisions: Array<{ roleId: string; divisionId: string }>; state?: string }
    const division = sent.roleDivisions[0] as { roleId: string; divisionId: string }
    const created = await t.run([
      'clients', 'create', '--name', 'Nightly Export (CC)', '--description', 'Service client for exports', '--token-ttl', '86400',
      '--grant-type', 'client_credentials', '--role-division', `${division.roleId}:${division.divisionId}`, '-v',
    ])
    expect(created.code).toBe(0)
    const post = api().find((r) => r.method === 'POST')
    expect(post?.contentType).toBe('application/json')
    expect(post?.headers.authorization).toEqual(bearerHeader)
    const { state: _state, ...expected } = sent
    expect(post?.json).toEqual(expected)

    const client = [...fake.clients.values()].find((c) => c.id !== CC_ID && c.name === 'Nightly Export (CC)')
    expect(client).toBeDefined()
    const secret = client?.secret as string
    expect(occurrences(created.stdout, secret)).toBe(1)
    expect(created.stdout).toContain(`secret: ${secret}\n`)
    expect(created.stderr).toContain('> POST')
    expect(created.stderr).toContain('authorization: Bearer [REDACTED]')
    expect(created.stderr).not.toContain(secret)
    expect(created.stderr).not.toContain(ADMIN.secret)
    expect(created.stderr).toContain('the secret is shown this once')
  })

  it('creates a code client with redirect URIs and scopes (the fixture body), and prints JSON', async () => {
    const created = await t.run([
      'clients', 'create', '--name', 'Oauth CLI (code)', '--token-ttl', '3600', '--grant-type', 'authorization_code',
      '--redirect-uri', 'http://127.0.0.1:8765/callback', '--scope', 'users:readonly', '--scope', 'oauth:readonly', '--json',
    ])
    expect(created.code).toBe(0)
    expect(api().find((r) => r.method === 'POST')?.json).toEqual(endpoint(fixture, 'postOauthClients.code').request.body?.json)
    const result = JSON.parse(created.stdout)
    expect(result.client).toMatchObject({ name: 'Oauth CLI (code)', grantTypes: ['authorization_code'], scopes: ['users:readonly', 'oauth:readonly'] })
    expect(result.secret).toBe(fake.clients.get(result.client.id)?.secret)
    expect(occurrences(created.stdout, result.secret)).toBe(1)
  })

  it('takes the same body from --from-file, and refuses a bad file before any request (exit 2)', async () => {
    const file = join(t.home, 'client.json')
    await writeFile(file, JSON.stringify({ name: 'Oauth CLI (code)', tokenTtl: 3600, grantTypes: ['CODE'], redirectUris: ['http://127.0.0.1:8765/callback'], scopes: ['users:readonly', 'oauth:readonly'] }))
    const created = await t.run(['clients', 'create', '--from-file', file])
    expect(created.code).toBe(0)
    expect(api().find((r) => r.method === 'POST')?.json).toEqual(endpoint(fixture, 'postOauthClients.code').request.body?.json)

    fake.clearLog()
    await writeFile(file, JSON.stringify({ name: 'x', grantTypes: ['CODE'], redirectUris: ['not a url'] }))
    const badUrl = await t.run(['clients', 'create', '--from-file', file])
    expect(badUrl.code).toBe(2)
    expect(badUrl.stderr).toContain(`error: ${file}: redirectUris.0: must be a URL`)
    await writeFile(file, JSON.stringify({ name: 'x', colour: 'blue' }))
    const unknown = await t.run(['clients', 'create', '--from-file', file])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain(`error: ${file}: unknown field colour`)
    // A Genesys OAuthClient may carry its secret only redacted (as get --native prints it): no one can set one.
    await writeFile(file, JSON.stringify({ name: 'x', authorizedGrantType: 'CODE', secret: 'nope' }))
    const secret = await t.run(['clients', 'create', '--from-file', file])
    expect(secret.code).toBe(2)
    expect(secret.stderr).toContain(`error: ${file}: secret: the server issues it, so it cannot be sent`)
    await writeFile(file, '{"name": ')
    const broken = await t.run(['clients', 'create', '--from-file', file])
    expect(broken.code).toBe(2)
    expect(broken.stderr).toContain(`error: ${file} is not valid JSON`)
    expect(fake.requests).toHaveLength(0)
  })

  it('shows the 400 error body for an out-of-range token lifetime (exit 4)', async () => {
    const created = await t.run(['clients', 'create', '--name', 'short', '--grant-type', 'client_credentials', '--token-ttl', '60'])
    expect(created.code).toBe(4)
    expect(created.stderr).toMatch(/^error: bad\.request: accessTokenValiditySeconds must be between 300 and 172800 \(field accessTokenValiditySeconds\)$/m)
  })

  it('refuses what Genesys cannot take before sending anything (exit 2)', async () => {
    const noGrant = await t.run(['clients', 'create', '--name', 'x'])
    expect(noGrant.code).toBe(2)
    expect(noGrant.stderr).toContain('needs a grant type')
    const scopes = await t.run(['clients', 'create', '--name', 'x', '--grant-type', 'client_credentials', '--scope', 'users:readonly'])
    expect(scopes.code).toBe(2)
    expect(scopes.stderr).toContain('client-credentials clients have no scopes')
    const two = await t.run(['clients', 'create', '--name', 'x', '--grant-type', 'code', '--grant-type', 'password'])
    expect(two.code).toBe(2)
    const unknown = await t.run(['clients', 'create', '--name', 'x', '--grant-type', 'device_code'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('Genesys Cloud has no grant type "device_code"')
    expect(fake.writes()).toHaveLength(0)
  })

  it('updates by sending the whole client back with the change (GET, then PUT)', async () => {
    const updated = await t.run(['clients', 'update', CC_ID, '--token-ttl', '3600', '--json'])
    expect(updated.code).toBe(0)
    expect(JSON.parse(updated.stdout)).toMatchObject({ id: CC_ID, tokenTtl: 3600 })
    expect(api().map((r) => r.method)).toEqual(['GET', 'PUT'])
    const { json: body, contentType } = api()[1] ?? {}
    expect(contentType).toBe('application/json')
    expect(body).toEqual({
      name: 'Nightly Export (CC)',
      description: 'Service client for exports',
      accessTokenValiditySeconds: 3600,
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      roleDivisions: (fixtureBody<{ roleDivisions: unknown }>(fixture, 'getOauthClient')).roleDivisions,
      state: 'active',
    })
    expect(fake.clients.get(CC_ID)?.accessTokenValiditySeconds).toBe(3600)

    fake.clearLog()
    const dry = await t.run(['clients', 'update', CODE_ID, '--name', 'renamed', '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain(`dry run: would send\nPUT ${fake.origin}/api/v2/oauth/clients/${CODE_ID}\n`)
    expect(dry.stdout).toContain('"name": "renamed"')
    expect(fake.writes()).toHaveLength(0)
    expect((await t.run(['clients', 'update', CODE_ID])).stderr).toContain('error: nothing to change')
  })
})

describe('genesys: delete and rotate', () => {
  it('sets an active client inactive, then deletes it; deleting it again is success', async () => {
    const deleted = await t.run(['clients', 'delete', CC_ID, '--yes'])
    expect(deleted.code).toBe(0)
    expect(deleted.stdout).toBe(`deleted client ${CC_ID}\n`)
    expect(api().map((r) => `${r.method} ${r.path}`)).toEqual([`GET /api/v2/oauth/clients/${CC_ID}`, `PUT /api/v2/oauth/clients/${CC_ID}`, `DELETE /api/v2/oauth/clients/${CC_ID}`])
    const { dateToDelete: _d, ...deactivate } = endpoint(fixture, 'putOauthClient.deactivate').request.body?.json as Record<string, unknown>
    expect(api()[1]?.json).toMatchObject(deactivate)
    expect(fake.clients.has(CC_ID)).toBe(false)

    fake.clearLog()
    const again = await t.run(['clients', 'delete', CC_ID, '--yes'])
    expect(again.code).toBe(0)
    expect(again.stdout).toBe(`client ${CC_ID} was already gone: nothing to delete\n`)
    expect(fake.writes()).toHaveLength(0)
  })

  it('shows the 400 cannot.delete.client body when the server still refuses', async () => {
    fake.inject(fixtureResponse(fixture, 'deleteOauthClient', 400), (r) => r.method === 'DELETE')
    const deleted = await t.run(['clients', 'delete', CODE_ID, '--yes'])
    expect(deleted.code).toBe(4)
    expect(deleted.stderr).toMatch(/^error: cannot\.delete\.client: Client must be inactive before it can be deleted$/m)
  })

  it('needs --yes when stdin is not a terminal (exit 2), and --dry-run sends nothing', async () => {
    const refused = await t.run(['clients', 'delete', CODE_ID])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/^error: this needs confirmation, and stdin is not a terminal/m)
    expect(refused.stderr).toMatch(/^hint: pass --yes$/m)
    const dry = await t.run(['clients', 'delete', CODE_ID, '--dry-run', '--json'])
    expect(dry.code).toBe(0)
    expect(JSON.parse(dry.stdout)).toEqual({
      dryRun: true,
      requests: [
        { method: 'PUT', url: `${fake.origin}/api/v2/oauth/clients/${CODE_ID}`, body: expect.objectContaining({ state: 'inactive', authorizedGrantType: 'CODE' }) },
        { method: 'DELETE', url: `${fake.origin}/api/v2/oauth/clients/${CODE_ID}` },
      ],
    })
    const rotateRefused = await t.run(['clients', 'rotate-secret', CODE_ID])
    expect(rotateRefused.code).toBe(2)
    expect(fake.writes()).toHaveLength(0)
    expect(fake.clients.get(CODE_ID)?.state).toBe('active')
  })

  it('shows a 403 with the missing permission (exit 4)', async () => {
    fake.inject(fixtureResponse(fixture, 'forbidden', 403), (r) => r.method === 'DELETE')
    const deleted = await t.run(['clients', 'delete', CODE_ID, '--yes'])
    expect(deleted.code).toBe(4)
    expect(deleted.stderr).toMatch(/^error: missing\.permissions: Missing permission oauth:client:delete/m)
    expect(deleted.stderr).toMatch(/^hint: the OAuth client of profile gc lacks the permission named above$/m)
  })

  it('rotates a secret (POST …/secret, no body) and prints the new one once', async () => {
    const rotated = await t.run(['clients', 'rotate-secret', CODE_ID, '--yes', '-v'])
    expect(rotated.code).toBe(0)
    const post = api().find((r) => r.method === 'POST')
    expect(post).toMatchObject({ path: `/api/v2/oauth/clients/${CODE_ID}/secret`, body: '' })
    expect(post?.contentType).toBeUndefined()
    const secret = fake.clients.get(CODE_ID)?.secret as string
    expect(secret).not.toBe(fixtureSecrets[1])
    expect(occurrences(rotated.stdout, secret)).toBe(1)
    expect(rotated.stderr).not.toContain(secret)
  })

  it('rotates into a profile with --save-profile: the secret never reaches stdout, and token get uses it', async () => {
    const rotated = await t.run(['clients', 'rotate-secret', CC_ID, '--yes', '--save-profile', 'export'])
    expect(rotated.code).toBe(0)
    const secret = fake.clients.get(CC_ID)?.secret as string
    expect(secret).not.toBe(ADMIN.secret)
    expect(rotated.stdout).not.toContain(secret)
    expect(rotated.stdout).toContain('created profile export with the secret in secret storage')
    expect((await credentialEntries(t.configDir))['profile/export/client-secret']).toBe(secret)
    const config = await readConfig(t.configDir)
    expect(config.profiles.export).toMatchObject({ provider: 'genesys', region: fake.origin, clientId: CC_ID, authMethod: 'client_secret_basic', endpoints: { token: `${fake.origin}/oauth/token` } })

    fake.clearLog()
    const token = await t.run(['token', 'get', '-p', 'export'])
    expect(token.code).toBe(0)
    expect(token.stdout).toMatch(/^gc_at_[0-9a-f]+\n$/)
    expect(basicCredentials(fake.requests[0]?.headers ?? {})).toEqual([CC_ID, secret])
    // The admin profile still holds the old secret of the same client, which no longer works.
    const stale = await t.run(['token', 'get', '-p', 'gc', '--force'])
    expect(stale.code).toBe(4)
    expect(stale.stderr).toMatch(/^error: invalid_client/m)
  })
})

describe('genesys: rate limits and refusals', () => {
  it('waits for Retry-After on a 429 and then succeeds', async () => {
    const limited = fixtureResponse(fixture, 'rateLimited', 429)
    fake.inject({ ...limited, headers: { ...limited.headers, 'Retry-After': '1' } }, (r) => r.path === '/api/v2/oauth/clients')
    const listed = await t.run(['clients', 'list', '--json', '-v'])
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.stdout)).toHaveLength(3)
    expect(api()).toHaveLength(2)
    expect(listed.stderr).toContain('* retrying Genesys Cloud (GET /api/v2/oauth/clients) in 1000 ms (status 429)')
  })

  it('gives up at once on a Retry-After longer than it will wait (exit 5), naming the wait', async () => {
    fake.inject(fixtureResponse(fixture, 'rateLimited', 429), (r) => r.path === '/api/v2/oauth/clients')
    const listed = await t.run(['clients', 'list'])
    expect(listed.code).toBe(5)
    expect(listed.stderr).toMatch(/^error: Genesys Cloud \(GET \/api\/v2\/oauth\/clients\) failed \(status 429, application\/json\): too\.many\.requests\.retry\.after$/m)
    expect(listed.stderr).toMatch(/^hint: the server asked to wait 42 s \(Retry-After\): try again then$/m)
    expect(listed.ms).toBeLessThan(10_000)
  })

  it('shows a refused token (401 bad.credentials, exit 4) with a hint', async () => {
    fake.inject(fixtureResponse(fixture, 'unauthorized', 401), (r) => r.path.startsWith('/api/v2/'))
    const listed = await t.run(['clients', 'list'])
    expect(listed.code).toBe(4)
    expect(listed.stderr).toMatch(/^error: bad\.credentials: Invalid login credentials/m)
    expect(listed.stderr).toMatch(/^hint: the access token of profile gc was refused/m)
  })

  it('shows the token endpoint error when the admin client secret is wrong (exit 4)', async () => {
    await t.run(['profiles', 'add', 'gc', '--client-secret-stdin'], { stdin: 'wrong-secret-value' })
    const listed = await t.run(['clients', 'list'])
    expect(listed.code).toBe(4)
    expect(listed.stderr).toMatch(/^error: invalid_client: client not found$/m)
    expect(listed.stderr).not.toContain('wrong-secret-value')
    expect(api()).toHaveLength(0)
  })
})

describe('genesys: usage, scopes, authorizations', () => {
  it('runs the usage query, polls until Complete, and prints the rows', async () => {
    const report = await t.run(['clients', 'usage', CC_ID, '--days', '7', '--json'])
    expect(report.code).toBe(0)
    const [query, ...polls] = api()
    expect(query).toMatchObject({ method: 'POST', path: `/api/v2/oauth/clients/${CC_ID}/usage/query`, contentType: 'application/json' })
    const body = query?.json as { interval: string; granularity: string; groupBy: string[] }
    expect(Object.keys(body).sort()).toEqual(['granularity', 'groupBy', 'interval'])
    expect(body).toMatchObject({ granularity: 'Day', groupBy: ['TemplateUri', 'HttpMethod'] })
    const [start, end] = body.interval.split('/').map((d) => Date.parse(d))
    expect((end as number) - (start as number)).toBe(7 * 86_400_000)
    expect(polls.map((p) => p.method)).toEqual(['GET', 'GET'])
    expect(polls[0]?.path).toMatch(new RegExp(`^/api/v2/oauth/clients/${CC_ID}/usage/query/results/[0-9a-f-]{36}$`))
    const complete = endpoint(fixture, 'getOauthClientUsageQueryResult.poll').responses[1]?.body as { results: unknown[] }
    expect(JSON.parse(report.stdout)).toMatchObject({ clientId: CC_ID, rows: complete.results })

    const table = await t.run(['clients', 'usage', CC_ID])
    expect(table.stdout).toMatch(/^DATE\s+METHOD\s+TEMPLATE\s+REQUESTS\s+2XX\s+3XX\s+4XX\s+429\s+5XX\n/)
    expect(table.stdout).toMatch(/2025-03-01T00:00:00.000Z\s+GET\s+api\/v2\/users\/\{userId\}\s+1195\s+1180\s+0\s+14\s+9\s+1/)
  })

  it('reports a Failed usage query (exit 5)', async () => {
    fake.options.usageOutcome = 'Failed'
    const report = await t.run(['clients', 'usage', CC_ID])
    expect(report.code).toBe(5)
    expect(report.stderr).toContain(`error: the usage query for client ${CC_ID} failed on the server`)
  })

  it('lists and gets scopes and authorizations with Accept-Language, never showing the nested client secret', async () => {
    const scopes = await t.run(['scopes', 'list'])
    expect(scopes.code).toBe(0)
    expect(scopes.stdout).toMatch(/^ID\s+DESCRIPTION\nusers:readonly\s+Read-only access to users/)
    const scope = await t.run(['scopes', 'get', 'users:readonly', '--json'])
    expect(JSON.parse(scope.stdout)).toMatchObject({ id: 'users:readonly' })
    expect(api().at(-1)?.rawPath).toBe('/api/v2/oauth/scopes/users:readonly')

    const auths = await t.run(['authorizations', 'list'])
    expect(auths.code).toBe(0)
    expect(auths.stdout).toMatch(new RegExp(`${CODE_ID}\\s+Oauth CLI \\(code\\)\\s+users:readonly\\s+Authorized\\s+Pat Admin`))
    const auth = await t.run(['authorizations', 'get', CODE_ID, '--json'])
    expect(auth, auth.stderr).toMatchObject({ code: 0 })
    expect(JSON.parse(auth.stdout)).toMatchObject({ clientId: CODE_ID, state: 'Revoked', raw: { client: { secret: '[REDACTED]' } } })
    for (const secret of fixtureSecrets) expect(auths.stdout + auth.stdout).not.toContain(secret)
    for (const r of api()) expect(r.headers['accept-language']).toBe('en-us')
  })

  it('scopes list and get --lang ask for the descriptions in that language (Accept-Language), and refuse a value that is no language tag', async () => {
    const scopes = await t.run(['scopes', 'list', '--lang', 'de'])
    expect(scopes, scopes.stderr).toMatchObject({ code: 0 })
    expect(scopes.stdout).toMatch(/^users:readonly\s+Lesezugriff auf Benutzer/m)
    expect(scopes.stdout).toMatch(/^oauth:readonly\s+Lesezugriff auf OAuth-Clients/m)
    const scope = await t.run(['scopes', 'get', 'users:readonly', '--lang', 'DE-de', '--json'])
    expect(JSON.parse(scope.stdout)).toMatchObject({ id: 'users:readonly', description: 'Lesezugriff auf Benutzer (erfundener Text)' })
    const scopeRequests = api().filter((r) => r.path.startsWith('/api/v2/oauth/scopes'))
    expect(scopeRequests.map((r) => [r.rawPath, r.query, r.headers['accept-language']])).toEqual([
      ['/api/v2/oauth/scopes', {}, 'de'],
      ['/api/v2/oauth/scopes/users:readonly', {}, 'de-de'],
    ])

    fake.clearLog()
    const bad = await t.run(['scopes', 'list', '--lang', 'de\r\nX-Injected: 1'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^error: --lang: .* is not a language tag$/m)
    expect(fake.requests).toEqual([])
  })

  it('reports a 404 for an unknown scope (exit 4)', async () => {
    fake.inject(json(404, fixtureResponse(fixture, 'getOauthClient', 404).body), (r) => r.path.startsWith('/api/v2/oauth/scopes/'))
    const scope = await t.run(['scopes', 'get', 'nope:nope'])
    expect(scope.code).toBe(4)
  })
})

describe('genesys: native documents (get --native, --from-file)', () => {
  it('get --json --native prints the OAuthClient as returned, secret redacted; edited, update --from-file sends it back', async () => {
    const got = await t.run(['clients', 'get', CODE_ID, '--json', '--native'])
    expect(got, got.stderr).toMatchObject({ code: 0 })
    const doc = JSON.parse(got.stdout)
    expect(doc).toMatchObject({ id: CODE_ID, name: 'Oauth CLI (code)', authorizedGrantType: 'CODE', secret: '[REDACTED]', selfUri: `/api/v2/oauth/clients/${CODE_ID}` })
    for (const secret of fixtureSecrets) expect(got.stdout).not.toContain(secret)
    const storedSecret = fake.clients.get(CODE_ID)?.secret

    doc.description = 'edited in the native document'
    doc.registeredRedirectUri = [...doc.registeredRedirectUri, 'http://127.0.0.1:9999/callback']
    const path = join(t.home, 'client.json')
    await writeFile(path, JSON.stringify(doc, null, 2))
    fake.clearLog()
    const updated = await t.run(['clients', 'update', CODE_ID, '--from-file', path, '--json'])
    expect(updated, updated.stderr).toMatchObject({ code: 0 })
    const put = api().find((r) => r.method === 'PUT')
    // Only OAuthClientRequest fields go back (the fake refuses any other, as Genesys does); the server's own stay behind.
    const serverSet = ['id', 'secret', 'selfUri', 'dateCreated', 'dateModified', 'createdBy', 'modifiedBy']
    expect(Object.keys(put?.json as object).filter((k) => serverSet.includes(k))).toEqual([])
    expect(put?.json).toMatchObject({ description: 'edited in the native document', registeredRedirectUri: doc.registeredRedirectUri, state: doc.state })
    expect(fake.clients.get(CODE_ID)).toMatchObject({ description: 'edited in the native document', secret: storedSecret })

    const again = JSON.parse((await t.run(['clients', 'get', CODE_ID, '--json', '--native'])).stdout)
    expect({ ...again, dateModified: undefined }).toEqual({ ...doc, dateModified: undefined })
  })

  it('creates from Genesys’s own request body, sent as written; an id in the file that is not ID is refused before any request', async () => {
    const body = { name: 'native export', authorizedGrantType: 'CLIENT-CREDENTIALS', roleDivisions: [{ roleId: 'role-1', divisionId: 'div-1' }], accessTokenValiditySeconds: 3600, state: 'active' }
    const path = join(t.home, 'create.json')
    await writeFile(path, JSON.stringify(body))
    const created = await t.run(['clients', 'create', '--from-file', path, '--json'])
    expect(created, created.stderr).toMatchObject({ code: 0 })
    expect(api().find((r) => r.method === 'POST')?.json).toEqual(body)

    await writeFile(path, JSON.stringify({ ...body, id: CC_ID }))
    fake.clearLog()
    const wrong = await t.run(['clients', 'update', CODE_ID, '--from-file', path])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain(`error: ${path}: id: is "${CC_ID}", not the client being updated (${CODE_ID})`)
    expect(fake.requests).toEqual([])
  })
})
