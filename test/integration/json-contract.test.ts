import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import type { Sandboxed } from '../helpers/cli.js'
import { startCli } from '../helpers/cli-stream.js'
import { checkDocument } from '../helpers/json-contract.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'
import { seedToken } from '../helpers/stored-token.js'
import { issueRefreshToken } from '../helpers/sandbox-grants.js'

/**
 * Issue 18 §1: every command's --json document, run for real against the sandbox. isolated().run
 * checks each against its zod schema and the committed docs/schemas file (test/helpers/json-contract.ts);
 * these tests add what the issue names: one naming convention, ISO dates with epoch seconds beside
 * the expiry, objects at the top level, and the scopes a refreshed token really has.
 */
let sandbox: Sandbox
let t: Sandboxed
useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))

const json = async (args: string[], options: { stdin?: string } = {}) => {
  const at = args.includes('--') ? args.indexOf('--') : args.length
  const result = await t.run([...args.slice(0, at), '--json', ...args.slice(at)], options)
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0)
  return JSON.parse(result.stdout)
}
const addCi = () => json(['profiles', 'add', 'ci', '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin', '--scope', 'api:read'], { stdin: 'demo-confidential-secret' })

/** Every key of ours, outside the server documents passed through (`response`, `claims`, `raw`…). */
function keys(value: unknown, skip = new Set(['response', 'claims', 'header', 'introspection', 'raw'])): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => keys(v, skip))
  if (!value || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([k, v]) => [k, ...(skip.has(k) ? [] : keys(v, skip))])
}
const camel = /^[a-z][a-zA-Z0-9]*$/

describe('tokens', () => {
  it('token get -o json: camelCase, expiresAt (ISO) with expiresAtEpoch, the granted scopes; status gives the same expiry', async () => {
    await addCi()
    const got = await t.run(['token', 'get', '-o', 'json'])
    expect(got.code, got.stderr).toBe(0)
    const token = JSON.parse(got.stdout)
    expect(keys(token).filter((k) => !camel.test(k))).toEqual([])
    expect(token).toMatchObject({ tokenType: 'Bearer', scopes: ['api:read'], response: { access_token: token.accessToken, token_type: 'bearer' } })
    expect(Date.parse(token.expiresAt) / 1000).toBe(token.expiresAtEpoch)
    expect(token.expiresAtEpoch).toBeGreaterThan(Date.now() / 1000)
    // --json means the same document as -o json.
    expect(JSON.parse((await t.run(['token', 'get', '--json'])).stdout)).toEqual(token)

    const status = await json(['status'])
    expect(Array.isArray(status)).toBe(false)
    expect(status.profiles).toHaveLength(1)
    expect(status.profiles[0]).toMatchObject({ name: 'ci', hasClientSecret: true, loggedIn: true })
    expect(status.profiles[0].tokens[0]).toMatchObject({ scopes: ['api:read'], expiresAt: token.expiresAt, expiresAtEpoch: token.expiresAtEpoch })
  })

  it('token refresh --json reports the scopes the token has, as status shows them', async () => {
    await addCi()
    const refresh = await issueRefreshToken(sandbox, { clientId: 'demo-confidential', scope: 'openid offline_access api:read' })
    await seedToken(t.configDir, 'ci', { access_token: 'expired', refresh_token: refresh, scope: 'openid offline_access api:read' }, ['api:read'])
    const refreshed = await json(['token', 'refresh'])
    expect(refreshed.scopes.length).toBeGreaterThan(0)
    expect(refreshed).toMatchObject({ refreshed: true, tokenType: 'Bearer' })
    expect(Date.parse(refreshed.expiresAt) / 1000).toBe(refreshed.expiresAtEpoch)
    const status = await json(['status'])
    const shown = status.profiles[0].tokens.find((s: { expiresAtEpoch: number }) => s.expiresAtEpoch === refreshed.expiresAtEpoch)
    expect(shown?.scopes).toEqual(refreshed.scopes)
  })

  it('token inspect (verified, introspected), token revoke and logout print their documents', async () => {
    await addCi()
    const token = (await t.run(['token', 'get'])).stdout.trim()
    const inspected = await json(['token', 'inspect', '--verify', '--introspect', '--audience', sandbox.resource])
    expect(inspected).toMatchObject({ format: 'jwt', expired: false, scopes: ['api:read'], verification: { valid: true }, introspection: { active: true } })
    expect(inspected.claims.scope).toBe('api:read') // the claims as the server wrote them
    expect(await json(['token', 'inspect', '-'], { stdin: 'opaque-value' })).toEqual({ format: 'opaque', length: 12 })
    expect(await json(['token', 'revoke', '-'], { stdin: token })).toEqual({ revoked: true, removedFromCache: true })
    expect(await json(['logout'])).toMatchObject({ profile: 'ci', deleted: 0 })
  })

  it('a failure prints the error document on stderr and nothing on stdout', async () => {
    const failed = await t.run(['token', 'get', '--json'])
    expect(failed.code).toBe(3)
    expect(failed.stdout).toBe('')
    const error = checkDocument('error', failed.stderr.trim().split('\n').at(-1) ?? '', 'stderr')
    expect(error).toMatchObject({ error: { code: expect.any(String), status: 3 } })
  })
})

describe('profiles and settings', () => {
  it('profiles add, list, show, use and remove: objects, camelCase, no discovery document', async () => {
    const added = await addCi()
    expect(added).toMatchObject({ name: 'ci', created: true, default: true, discovered: true, secretStored: true, endpoints: { token: `${sandbox.issuer}/token` } })
    expect(added.profile.discovery).toBeUndefined()
    expect(keys(added).filter((k) => !camel.test(k))).toEqual([])

    const listed = await json(['profiles', 'list'])
    expect(listed).toEqual({ profiles: [{ name: 'ci', default: true, provider: 'generic', issuer: sandbox.issuer, tokenEndpoint: `${sandbox.issuer}/token`, clientId: 'demo-confidential' }] })

    const shown = await json(['profiles', 'show', 'ci'])
    expect(shown).toMatchObject({ name: 'ci', hasClientSecret: true, storage: 'file' })
    expect(Number.isNaN(Date.parse(shown.discoveredAt))).toBe(false)

    expect(await json(['profiles', 'use', 'ci'])).toEqual({ defaultProfile: 'ci' })
    expect(await json(['doctor'])).toMatchObject({ profile: 'ci', checks: expect.arrayContaining([{ name: 'storage', result: 'ok', detail: expect.stringMatching(/^file \(from OAUTHCTL_STORAGE/) }]) })
    expect(await json(['kubeconfig'])).toMatchObject({ users: [{ name: 'oauthctl-ci' }] })
    expect(await json(['git-credential', 'configure', 'git.example.com', '-p', 'ci'])).toEqual({ url: 'https://git.example.com', profile: 'ci', username: 'oauth2' })
    expect(await json(['git-credential', 'configure', 'git.example.com', '--remove'])).toEqual({ url: 'https://git.example.com', removed: true })
    expect(await json(['profiles', 'remove', 'ci'])).toMatchObject({ name: 'ci' })
    expect(await json(['profiles', 'list'])).toEqual({ profiles: [] })
    // No profile at all: nothing can produce a token (exit 3, as token get), and the document still says so.
    const none = await t.run(['status', '--json'])
    expect([none.code, JSON.parse(none.stdout)]).toEqual([3, { profiles: [] }])
  })
})

describe('sandbox', () => {
  it('sandbox --json names its clients in camelCase', async () => {
    const running = startCli(['sandbox', '--port', '0', '--json'], t.env)
    try {
      await running.waitForStderr(/serving until Ctrl-C/)
    } finally {
      running.signal('SIGINT')
    }
    const done = await running.done
    const doc = checkDocument('sandbox', done.stdout, 'sandbox --json') as { clients: Record<string, unknown>[] }
    expect(doc.clients[0]).toEqual({ clientId: 'demo-confidential', clientSecret: 'demo-confidential-secret', grantTypes: ['client_credentials', 'authorization_code', 'refresh_token'] })
  })

  it('sandbox --demo --json', async () => {
    const demo = await json(['sandbox', '--demo'])
    expect(demo.steps.map((s: { tokenRequests: number }) => s.tokenRequests)).toEqual([0, 1, 0, 0])
  })
})

describe('client administration (RFC 7591/7592)', () => {
  it('create, get (and --native), update, dry runs and delete print their documents', async () => {
    expect((await t.run(['profiles', 'add', 'admin', '--issuer', sandbox.issuer])).code).toBe(0)
    const created = await json(['clients', 'create', '--name', 'contract', '--grant-type', 'client_credentials'])
    expect(created.secret).toEqual(expect.any(String))
    const id = created.client.id
    expect(await json(['clients', 'get', '--', id])).toMatchObject({ id, name: 'contract', grantTypes: ['client_credentials'] })
    expect(await json(['clients', 'get', '--native', '--', id])).toMatchObject({ client_id: id, client_secret: '[REDACTED]' })
    expect(await json(['clients', 'update', '--name', 'dry', '--dry-run', '--', id])).toMatchObject({ dryRun: true, requests: [{ method: 'PUT' }] })
    expect(await json(['clients', 'update', '--name', 'renamed', '--', id])).toMatchObject({ id, name: 'renamed' })
    expect(await json(['clients', 'delete', '--yes', '--', id])).toEqual({ id, deleted: true })
    expect(await json(['clients', 'create', '--name', 'x', '--dry-run'])).toMatchObject({ dryRun: true })
  })
})
