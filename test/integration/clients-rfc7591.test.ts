import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sandbox, startSandbox } from '../../src/lib/sandbox/server.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useSandboxAdmin } from '../helpers/lifecycle.js'
import { credentialEntries, readConfig } from '../helpers/config-files.js'

let sandbox: Sandbox
let t: Sandboxed

useSandboxAdmin((s, i) => {
  sandbox = s
  t = i
})

const credentials = () => credentialEntries(t.configDir)
const registrations = async () => JSON.parse((await credentials())['profile/admin/registration'] ?? '{}') as Record<string, { accessToken: string; clientUri: string }>
const occurrences = (text: string, needle: string) => text.split(needle).length - 1
const regRequests = () => sandbox.requestCount('/reg')

async function createClient(extra: string[] = []) {
  const created = await t.run(['clients', 'create', '--name', 'svc', '--grant-type', 'client_credentials', '--json', ...extra])
  expect(created, created.stderr).toMatchObject({ code: 0 })
  return { ...(JSON.parse(created.stdout) as { client: { id: string }; secret: string }), created }
}

describe('rfc7591: create', () => {
  it('registers a client, prints the secret once (never in the trace) and keeps the registration access token', async () => {
    const created = await t.run(['clients', 'create', '--name', 'svc', '--grant-type', 'client_credentials', '--scope', 'api:read', '-v'])
    expect(created.code).toBe(0)
    const secret = /^secret: (.+)$/m.exec(created.stdout)?.[1] as string
    expect(secret.length).toBeGreaterThan(20)
    expect(occurrences(created.stdout, secret)).toBe(1)
    expect(created.stdout).toMatch(/^name: svc\ngrant types: client_credentials\nscopes: api:read$/m)
    expect(created.stderr).toContain(`> POST ${sandbox.issuer}/reg`)
    expect(created.stderr).not.toContain(secret)
    expect(regRequests()).toBe(1)

    const [[id, reg]] = Object.entries(await registrations()) as [[string, { accessToken: string; clientUri: string }]]
    // The sandbox's ids never start with '-', which a command line would read as a flag.
    expect(id).toMatch(/^client-[0-9a-f]{32}$/)
    expect(reg.clientUri).toBe(`${sandbox.issuer}/reg/${id}`)
    expect(created.stdout).not.toContain(reg.accessToken)
    expect(created.stderr).not.toContain(reg.accessToken)
  })

  it('creates straight into a profile with --save-profile, and token get works with it', async () => {
    const { created, client } = await createClient(['--save-profile', 'svc'])
    const result = JSON.parse(created.stdout)
    expect(result.secret).toBeUndefined()
    expect(result.savedProfile).toEqual({ name: 'svc', created: true })
    const stored = await credentials()
    expect(created.stdout).not.toContain(stored['profile/svc/client-secret'])
    const config = await readConfig(t.configDir)
    expect(config.profiles.svc).toMatchObject({ provider: 'generic', issuer: sandbox.issuer, clientId: client.id, authMethod: 'client_secret_basic' })

    sandbox.resetCounts()
    const token = await t.run(['token', 'get', '-p', 'svc', '--output', 'json'])
    expect(token, token.stderr).toMatchObject({ code: 0 })
    expect(JSON.parse(token.stdout)).toMatchObject({ tokenType: 'Bearer' })
    expect(sandbox.requestCount('/token')).toBe(1)
  })

  it('--dry-run prints the registration request and sends nothing', async () => {
    const dry = await t.run(['clients', 'create', '--name', 'app', '--redirect-uri', 'http://127.0.0.1/callback', '--grant-type', 'authorization_code', '--dry-run', '--json'])
    expect(dry.code).toBe(0)
    expect(JSON.parse(dry.stdout)).toEqual({
      dryRun: true,
      requests: [
        {
          method: 'POST',
          url: `${sandbox.issuer}/reg`,
          body: { client_name: 'app', redirect_uris: ['http://127.0.0.1/callback'], grant_types: ['authorization_code'], response_types: ['code'] },
        },
      ],
    })
    expect(regRequests()).toBe(0)
  })

  it('refuses what RFC 7591 has no field for, and a bad --from-file, before any request (exit 2)', async () => {
    const description = await t.run(['clients', 'create', '--name', 'x', '--description', 'nope'])
    expect(description.code).toBe(2)
    expect(description.stderr).toContain('error: RFC 7591/7592 registration: clients have no description (--description)')
    const noName = await t.run(['clients', 'create', '--grant-type', 'client_credentials'])
    expect(noName.code).toBe(2)
    expect(noName.stderr).toContain('--name is required')
    const badFlag = await t.run(['clients', 'create', '--name', 'x', '--redirect-uri', 'not-a-url'])
    expect(badFlag.code).toBe(2)
    expect(badFlag.stderr).toContain('error: --redirect-uri: must be a URL')
    const badSave = await t.run(['clients', 'create', '--name', 'x', '--save-profile', '../evil'])
    expect(badSave.code).toBe(2)
    expect(badSave.stderr).toContain('error: --save-profile:')
    expect(regRequests()).toBe(0)
  })

  it('says RFC 7592 defines no list operation (exit 2)', async () => {
    const listed = await t.run(['clients', 'list'])
    expect(listed.code).toBe(2)
    expect(listed.stderr).toMatch(/^error: RFC 7591\/7592 registration cannot list clients: RFC 7592 defines no list operation/m)
  })
})

describe('rfc7591: initial access token', () => {
  let guarded: Sandbox
  const IAT = 'iat-7d1c2b9e-sandbox-initial-token'
  beforeAll(async () => {
    guarded = await startSandbox({ initialAccessToken: IAT })
  })
  afterAll(async () => {
    await guarded.close()
  })

  it('fails with a hint without one (exit 4), and registers with it from stdin or the environment', async () => {
    await t.run(['profiles', 'add', 'guarded', '--issuer', guarded.issuer])
    const without = await t.run(['clients', 'create', '-p', 'guarded', '--name', 'x', '--grant-type', 'client_credentials'])
    expect(without.code).toBe(4)
    expect(without.stderr).toMatch(/^error: invalid_token/m)
    expect(without.stderr).toMatch(/^hint: this server wants an initial access token: pipe it to --initial-access-token-stdin or set OAUTHCTL_INITIAL_ACCESS_TOKEN$/m)

    const fromStdin = await t.run(['clients', 'create', '-p', 'guarded', '--name', 'x', '--grant-type', 'client_credentials', '--initial-access-token-stdin', '-v'], { stdin: `${IAT}\n` })
    expect(fromStdin, fromStdin.stderr).toMatchObject({ code: 0 })
    expect(fromStdin.stderr).toContain('authorization: Bearer [REDACTED]')
    expect(fromStdin.stderr).not.toContain(IAT)
    const fromEnv = await t.run(['clients', 'create', '-p', 'guarded', '--name', 'y', '--grant-type', 'client_credentials'], { env: { OAUTHCTL_INITIAL_ACCESS_TOKEN: IAT } })
    expect(fromEnv.code).toBe(0)
    const wrong = await t.run(['clients', 'create', '-p', 'guarded', '--name', 'z', '--grant-type', 'client_credentials'], { env: { OAUTHCTL_INITIAL_ACCESS_TOKEN: 'wrong-initial-token' } })
    expect(wrong.code).toBe(4)
    expect(wrong.stderr).toMatch(/^hint: the initial access token was refused$/m)
  })
})

describe('rfc7591: read, update, rotate, delete (RFC 7592)', () => {
  it('reads a client with its registration access token, never printing secret or token', async () => {
    const { client, secret } = await createClient()
    const { accessToken } = (await registrations())[client.id] as { accessToken: string }
    sandbox.resetCounts()
    const got = await t.run(['clients', 'get', '--json', '-v', '--', client.id])
    expect(got, got.stderr).toMatchObject({ code: 0 })
    expect(JSON.parse(got.stdout)).toMatchObject({ id: client.id, name: 'svc', grantTypes: ['client_credentials'], raw: { client_secret: '[REDACTED]', registration_access_token: '[REDACTED]' } })
    for (const value of [secret, accessToken]) {
      expect(got.stdout).not.toContain(value)
      expect(got.stderr).not.toContain(value)
    }
    expect(got.stderr).toContain(`> GET ${sandbox.issuer}/reg/${client.id}`)
    expect(got.stderr).toContain('authorization: Bearer [REDACTED]')

    const unknown = await t.run(['clients', 'get', 'someone-elses-client'])
    expect(unknown.code).toBe(3)
    expect(unknown.stderr).toContain('error: no registration access token is stored for client someone-elses-client in profile admin')
  })

  it('updates with the whole metadata (GET, then PUT), keeping what it does not change', async () => {
    const { client } = await createClient(['--scope', 'api:read'])
    const dry = await t.run(['clients', 'update', '--name', 'renamed', '--dry-run', '--json', '--', client.id])
    const [put] = JSON.parse(dry.stdout).requests
    expect(put).toMatchObject({ method: 'PUT', url: `${sandbox.issuer}/reg/${client.id}`, body: { client_id: client.id, client_name: 'renamed', scope: 'api:read', grant_types: ['client_credentials'] } })
    for (const field of ['client_secret', 'registration_access_token', 'registration_client_uri', 'client_id_issued_at', 'client_secret_expires_at']) expect(put.body).not.toHaveProperty(field)

    const updated = await t.run(['clients', 'update', '--name', 'renamed', '--', client.id])
    expect(updated.code).toBe(0)
    expect(updated.stdout).toMatch(/^name: renamed\ngrant types: client_credentials\nscopes: api:read$/m)
    const got = await t.run(['clients', 'get', '--json', '--', client.id])
    expect(JSON.parse(got.stdout)).toMatchObject({ name: 'renamed', scopes: ['api:read'] })
  })

  it('asks the server for a new secret and says it is not supported when it keeps the old one (exit 2)', async () => {
    const { client, secret } = await createClient(['--save-profile', 'svc'])
    const rotated = await t.run(['clients', 'rotate-secret', '--yes', '--', client.id])
    expect(rotated.code).toBe(2)
    expect(rotated.stderr).toMatch(/^error: rotate-secret is not supported by this server: its RFC 7592 update kept the current client secret$/m)
    expect(rotated.stdout).toBe('')
    expect(secret).toBeUndefined()
    // The client still works with the secret it had.
    expect((await t.run(['token', 'get', '-p', 'svc'])).code).toBe(0)
  })

  it('deletes with --yes (and refuses without it), forgetting the registration', async () => {
    const { client } = await createClient()
    sandbox.resetCounts()
    const refused = await t.run(['clients', 'delete', '--', client.id])
    expect(refused.code).toBe(2)
    expect(sandbox.requestCount(`/reg/${client.id}`)).toBe(0)
    const dry = await t.run(['clients', 'delete', '--dry-run', '--', client.id])
    expect(dry.stdout).toBe(`dry run: would send\nDELETE ${sandbox.issuer}/reg/${client.id}\n`)
    expect(sandbox.requestCount(`/reg/${client.id}`)).toBe(0)

    const deleted = await t.run(['clients', 'delete', '--yes', '--', client.id])
    expect(deleted.code).toBe(0)
    expect(deleted.stdout).toBe(`deleted client ${client.id}\n`)
    expect(await credentials()).not.toHaveProperty('profile/admin/registration')
    const gone = await t.run(['token', 'get', '--grant', 'client_credentials'], { env: { OAUTHCTL_ISSUER: sandbox.issuer, OAUTHCTL_CLIENT_ID: client.id, OAUTHCTL_CLIENT_SECRET: 'whatever-secret' } })
    expect(gone.code).toBe(4)
  })
})

describe('rfc7591: native documents (get --native, --from-file)', () => {
  it('get --json --native prints the RFC 7592 read, secret and registration access token redacted; edited, update --from-file sends it back', async () => {
    const { client, secret } = await createClient(['--scope', 'api:read'])
    const { accessToken } = (await registrations())[client.id] as { accessToken: string }
    const got = await t.run(['clients', 'get', '--json', '--native', '--', client.id])
    expect(got, got.stderr).toMatchObject({ code: 0 })
    const doc = JSON.parse(got.stdout)
    expect(doc).toMatchObject({ client_id: client.id, client_name: 'svc', scope: 'api:read', client_secret: '[REDACTED]', registration_access_token: '[REDACTED]', registration_client_uri: `${sandbox.issuer}/reg/${client.id}` })
    for (const value of [secret, accessToken]) expect(got.stdout).not.toContain(value)

    doc.client_name = 'renamed natively'
    const path = join(t.home, 'client.json')
    await writeFile(path, JSON.stringify(doc, null, 2))
    const dry = await t.run(['clients', 'update', '--from-file', path, '--dry-run', '--json', '--', client.id])
    const [put] = JSON.parse(dry.stdout).requests
    expect(put.body).toMatchObject({ client_id: client.id, client_name: 'renamed natively', scope: 'api:read', token_endpoint_auth_method: doc.token_endpoint_auth_method })
    for (const field of ['client_secret', 'registration_access_token', 'registration_client_uri', 'client_id_issued_at', 'client_secret_expires_at']) expect(put.body).not.toHaveProperty(field)

    const updated = await t.run(['clients', 'update', '--from-file', path, '--', client.id])
    expect(updated, updated.stderr).toMatchObject({ code: 0 })
    const again = JSON.parse((await t.run(['clients', 'get', '--json', '--native', '--', client.id])).stdout)
    expect(again).toMatchObject({ client_id: client.id, client_name: 'renamed natively', scope: 'api:read', client_secret: '[REDACTED]' })
    // The secret was not replaced by the redacted text: the client still gets tokens with it.
    const token = await t.run(['token', 'get'], { env: { OAUTHCTL_TOKEN_ENDPOINT: `${sandbox.issuer}/token`, OAUTHCTL_CLIENT_ID: client.id, OAUTHCTL_CLIENT_SECRET: secret, OAUTHCTL_STORAGE: 'none', OAUTHCTL_SCOPE: 'api:read' } })
    expect(token, token.stderr).toMatchObject({ code: 0 })
  })

  it('creates from RFC 7591 metadata, extension fields passed through (dry run)', async () => {
    const path = join(t.home, 'create.json')
    const doc = { client_name: 'native', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post', scope: 'api:read', software_id: 'ext-1' }
    await writeFile(path, JSON.stringify(doc))
    const dry = await t.run(['clients', 'create', '--from-file', path, '--dry-run', '--json'])
    expect(dry, dry.stderr).toMatchObject({ code: 0 })
    expect(JSON.parse(dry.stdout).requests[0].body).toEqual({ ...doc, response_types: [] })
    const created = await t.run(['clients', 'create', '--from-file', path, '--json'])
    expect(created, created.stderr).toMatchObject({ code: 0 })
    const { client } = JSON.parse(created.stdout)
    expect(client.raw).toMatchObject({ client_name: 'native', token_endpoint_auth_method: 'client_secret_post' })
  })
})
