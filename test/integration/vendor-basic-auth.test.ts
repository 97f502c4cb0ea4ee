import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getToken, type GetTokenOptions } from '../../src/lib/use-cases/get-token.js'
import { type TokenContext } from '../../src/lib/tokens/context.js'
import { redactText } from '../../src/lib/redact.js'
import { type ApimaticFake, CLIENT_CREDENTIALS_PATH, SCOPE, startApimaticFake, TOKEN_PATH, USER } from '../fakes/apimatic.js'
import { type FakeServer, json, rawBasic, type RecordedRequest, startFake } from '../fakes/fixtures.js'
import { type GenesysFake, startGenesysFake } from '../fakes/genesys.js'
import { type NutanixFake, startNutanixFake } from '../fakes/nutanix.js'
import { ADMIN as PHONECOM_ADMIN, type PhonecomFake, startPhonecomFake, TOKEN_PATH as PHONECOM_TOKEN_PATH } from '../fakes/phonecom.js'
import { type Harness, harness } from '../fakes/vendor-context.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'

/**
 * Basic credentials byte for byte: the fakes compare `Authorization` with base64(id:secret) as the
 * vendors' services do, and the ids and secrets here carry every character on which RFC 6749's form
 * encoding and the raw form disagree (`-`, `_`, `~`, `:`, `%`, `+`, space).
 */
const ID = 'cli-app_1~x'
const SECRET = 'p-_~:%+ w0rd'
// Written out by hand, not computed with the code under test: RFC 6749 §2.3.1 (strict form encoding, space as +).
const FORM_PAIR = 'cli%2Dapp%5F1%7Ex:p%2D%5F%7E%3A%25%2B+w0rd'
const RAW_PAIR = `${ID}:${SECRET}`
const header = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`

let h: Harness
let t: Sandboxed
useIsolated((i) => (t = i))
beforeEach(async () => {
  h = await harness()
})
afterEach(async () => {
  await h.close()
})

const token = (ctx: TokenContext, options: Partial<GetTokenOptions> = {}) => getToken({ grant: 'client_credentials', scopes: [], minTtl: 60, force: true, params: {}, ...options }, ctx)

describe('vendor presets send Basic credentials as their SDKs do', () => {
  let genesys: GenesysFake
  let apimatic: ApimaticFake
  let nutanix: NutanixFake
  let phonecom: PhonecomFake
  beforeEach(async () => {
    ;[genesys, apimatic, nutanix, phonecom] = await Promise.all([startGenesysFake(), startApimaticFake(), startNutanixFake(), startPhonecomFake()])
  })
  afterEach(async () => {
    await Promise.all([genesys, apimatic, nutanix, phonecom].map((f) => f.close()))
  })

  it('genesys: raw base64(id:secret) at login.<region>/oauth/token', async () => {
    genesys.clients.set(ID, { id: ID, name: 'special', secret: SECRET, state: 'active', authorizedGrantType: 'CLIENT-CREDENTIALS' })
    await token(h.tokenContext({ provider: 'genesys', region: genesys.origin, clientId: ID }, { secret: SECRET }))
    const [request] = genesys.requests.filter((r) => r.path === '/oauth/token')
    expect(request?.headers.authorization).toBe(header(RAW_PAIR))

    // A refusal under the vendor's documented encoding does not point at the other one; a profile that overrode it is pointed back.
    const refused = await token(h.tokenContext({ provider: 'genesys', region: genesys.origin, clientId: ID }, { secret: 'wrong-secret_value' })).catch((err: unknown) => err)
    expect(refused).toMatchObject({ code: 'invalid_client' })
    expect((refused as { hint?: string }).hint ?? '').not.toContain('--basic-encoding')
    await expect(token(h.tokenContext({ provider: 'genesys', region: genesys.origin, clientId: ID, basicEncoding: 'form' }, { secret: SECRET }))).rejects.toMatchObject({
      code: 'invalid_client',
      hint: expect.stringContaining('--basic-encoding raw'),
    })
  })

  it('apimatic: raw base64(id:secret) at both token endpoints', async () => {
    apimatic.options.client = { clientId: ID, secret: SECRET }
    const ctx = h.tokenContext({ provider: 'apimatic', host: apimatic.origin, clientId: ID, scopes: [SCOPE] }, { secret: SECRET })
    await token(ctx)
    await token(ctx, { grant: 'password', inputs: USER })
    const sent = apimatic.requests.filter((r) => r.method === 'POST').map((r) => [r.path, r.headers.authorization])
    expect(sent).toEqual([
      [CLIENT_CREDENTIALS_PATH, header(RAW_PAIR)],
      [TOKEN_PATH, header(RAW_PAIR)],
    ])
  })

  it('nutanix: the Prism user raw in Basic, as the v3 SDK\'s basicAuth sends it (its token endpoint takes the client in the form: vendor-nutanix)', async () => {
    const admin = { username: 'ops-admin_1', password: SECRET }
    nutanix.options.admin = admin
    const added = await t.run(['profiles', 'add', 'nx', '--provider', 'nutanix', '--host', nutanix.origin, '--username', admin.username])
    expect(added, added.stderr).toMatchObject({ code: 0 })
    const listed = await t.run(['clients', 'list', '--json'], { env: { OAUTHCTL_ADMIN_PASSWORD: admin.password } })
    expect(listed, listed.stderr).toMatchObject({ code: 0 })
    expect(nutanix.requests[0]?.headers.authorization).toBe(header(`${admin.username}:${admin.password}`))
  })

  it('phone.com: id and secret in the JSON body, never a Basic header', async () => {
    await token(h.tokenContext({ provider: 'phonecom', endpoints: { token: `${phonecom.origin}${PHONECOM_TOKEN_PATH}` }, clientId: PHONECOM_ADMIN.clientId, scopes: ['account-owner'] }, { secret: PHONECOM_ADMIN.secret }))
    const [request] = phonecom.requests.filter((r) => r.path === PHONECOM_TOKEN_PATH)
    expect(request?.headers.authorization).toBeUndefined()
    expect(request?.json).toMatchObject({ client_id: PHONECOM_ADMIN.clientId, client_secret: PHONECOM_ADMIN.secret })
  })
})

/** A generic token endpoint that takes exactly one Authorization header; a refusal echoes what it got, as careless servers do. */
async function strictServer(expected: string): Promise<FakeServer> {
  return startFake((req: RecordedRequest) => {
    if (req.headers.authorization === expected) return json(200, { access_token: `at-${Date.now()}`, token_type: 'Bearer', expires_in: 3600 })
    const got = req.headers.authorization ?? ''
    const decoded = Buffer.from(got.replace(/^Basic /, ''), 'base64').toString('utf8')
    return json(401, { error: 'invalid_client', error_description: `bad credentials ${got} (${decoded})` })
  }, () => false)
}

/** An environment-only profile (no config file) for the client at `server`. */
const envProfile = (server: FakeServer, more: Record<string, string> = {}) => ({
  OAUTHCTL_TOKEN_ENDPOINT: `${server.origin}/token`,
  OAUTHCTL_CLIENT_ID: ID,
  OAUTHCTL_CLIENT_SECRET: SECRET,
  OAUTHCTL_STORAGE: 'none',
  ...more,
})

describe('generic profiles: RFC 6749 form encoding by default, raw with --basic-encoding raw', () => {
  let server: FakeServer | undefined
  afterEach(async () => {
    await server?.close()
    server = undefined
  })

  it('form by default, raw when the profile says so (in process)', async () => {
    server = await strictServer(header(FORM_PAIR))
    const endpoints = { token: `${server.origin}/token` }
    await token(h.tokenContext({ endpoints, clientId: ID }, { secret: SECRET }))
    await expect(token(h.tokenContext({ endpoints, clientId: ID, basicEncoding: 'raw' }, { secret: SECRET }))).rejects.toMatchObject({ exitCode: 4, code: 'invalid_client' })
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([header(FORM_PAIR), header(RAW_PAIR)])
    expect(rawBasic(ID, SECRET)).toBe(header(RAW_PAIR))
  })

  it('profiles add --basic-encoding raw is kept, sends raw, and a bad value is exit 2', async () => {
    server = await strictServer(header(RAW_PAIR))
    const bad = await t.run(['profiles', 'add', 'x', '--token-endpoint', `${server.origin}/token`, '--client-id', ID, '--basic-encoding', 'base64'])
    expect(bad.code).toBe(2)
    const add = ['profiles', 'add', 'x', '--token-endpoint', `${server.origin}/token`, '--client-id', ID, '--client-secret-stdin']
    expect(await t.run([...add, '--basic-encoding', 'raw'], { stdin: SECRET })).toMatchObject({ code: 0 })
    const got = await t.run(['token', 'get', '-p', 'x'])
    expect(got, got.stderr).toMatchObject({ code: 0 })
    expect(server.requests.at(-1)?.headers.authorization).toBe(header(RAW_PAIR))
  })

  it('OAUTHCTL_BASIC_ENCODING sets it for an environment-only profile', async () => {
    server = await strictServer(header(RAW_PAIR))
    const raw = await t.run(['token', 'get'], { env: envProfile(server, { OAUTHCTL_BASIC_ENCODING: 'raw' }) })
    expect(raw, raw.stderr).toMatchObject({ code: 0 })
    const bad = await t.run(['token', 'get'], { env: envProfile(server, { OAUTHCTL_BASIC_ENCODING: 'utf8' }) })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^error: OAUTHCTL_BASIC_ENCODING: /m)
  })

  it('invalid_client names --basic-encoding raw when the encodings disagree, and no encoding of the secret leaks', async () => {
    server = await strictServer(header(RAW_PAIR))
    const refused = await t.run(['token', 'get', '-v'], { env: envProfile(server) })
    expect(refused.code).toBe(4)
    expect(refused.stderr).toMatch(/^error: invalid_client: bad credentials/m)
    expect(refused.stderr).toMatch(/^hint: .*--basic-encoding raw/m)
    for (const leaked of [SECRET, 'p%2D%5F%7E%3A%25%2B+w0rd', header(FORM_PAIR).slice(6), header(RAW_PAIR).slice(6), encodeURIComponent(SECRET)]) {
      expect(refused.stderr).not.toContain(leaked)
    }

    // Letters and digits encode the same both ways: the encoding cannot be why, so no such hint.
    const plain = await t.run(['token', 'get'], { env: envProfile(server, { OAUTHCTL_CLIENT_ID: 'plainid', OAUTHCTL_CLIENT_SECRET: 'plainsecret0' }) })
    expect(plain.code).toBe(4)
    expect(plain.stderr).not.toContain('--basic-encoding')
  })

  it('a raw profile refused by a server that wants the form encoding is pointed at --basic-encoding form', async () => {
    server = await strictServer(header(FORM_PAIR))
    await expect(token(h.tokenContext({ endpoints: { token: `${server.origin}/token` }, clientId: ID, basicEncoding: 'raw' }, { secret: SECRET }))).rejects.toMatchObject({
      code: 'invalid_client',
      hint: expect.stringContaining('--basic-encoding form'),
    })
    expect(redactText(`x ${header(RAW_PAIR).slice(6)} ${header(FORM_PAIR).slice(6)}`)).toBe('x [REDACTED] [REDACTED]')
  })
})
