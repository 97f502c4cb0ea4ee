import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fastTokenGet } from '../../src/boot/fast-token-get.cjs'
import type { ProfileInput } from '../../src/lib/config/schema.js'
import { KeychainStore } from '../../src/lib/storage/keychain.js'
import { secretKeys } from '../../src/lib/storage/keys.js'
import { tokenCacheKey } from '../../src/lib/tokens/cache.js'
import { tokenBinding } from '../../src/lib/tokens/cached-token.js'
import type { StoredToken } from '../../src/lib/tokens/token-set.js'
import { type FaultServer, tokenResponse, useFaultServer } from '../reliability/fault-server.js'
import { writeProfiles, writeSecrets } from '../reliability/profile-files.js'
import type { Sandboxed } from '../helpers/cli.js'
import { keychainAvailable } from '../helpers/keychain.js'
import { useIsolated } from '../helpers/lifecycle.js'

/**
 * Issue 15 §4: the fast path of `token get` and the full command apply one cached-token rule
 * (resolveCachedToken). For every kind of profile and stored token, the fast path (in this
 * process) and the full command (spawned with -v, which the fast path declines) print the same
 * token from the cache, or both decline it (the full command then asks the server).
 */
let fault: FaultServer
let t: Sandboxed

useFaultServer((f) => (fault = f))
useIsolated((i) => (t = i), { OAUTHCTL_TIMEOUT: '2' })
beforeEach(() => {
  fault.route('/token', tokenResponse({ access_token: 'from-the-server' }))
  fault.route('/oauth/token', tokenResponse({ access_token: 'from-the-server' }))
})
const now = () => Math.floor(Date.now() / 1000)

async function fast(profile: string) {
  let out = ''
  const print = (text: string) => {
    out += text
  }
  const answered = await fastTokenGet(['token', 'get', '-p', profile], t.env, print)
  return { answered, out }
}

type Kind = 'file' | 'dpop' | 'mtls' | 'vendor'
const profiles = (): Record<Kind, ProfileInput> => ({
  file: { endpoints: { token: fault.url('/token') }, clientId: 'c-file', scopes: ['api:read', 'openid'] },
  dpop: { endpoints: { token: fault.url('/token') }, clientId: 'c-dpop', dpop: true },
  mtls: { endpoints: { token: fault.url('/token') }, clientId: 'c-mtls', authMethod: 'tls_client_auth', tlsCert: '/nonexistent/cert.pem', tlsKey: '/nonexistent/key.pem' },
  vendor: { provider: 'genesys', region: fault.origin, clientId: 'c-genesys' },
})

interface Case {
  name: string
  /** What stored it: `token get` for the profile's own shape, or a login with other scopes. */
  at?: 'shape' | 'session'
  token: (profile: ProfileInput) => Partial<StoredToken>
  /** Whether the rule serves it from the cache. */
  served: boolean
}
const base = (profile: ProfileInput, lifetime = 3600): Partial<StoredToken> & { binding: string } => ({
  access_token: 'cached-access-token',
  token_type: 'Bearer',
  expires_at: now() + lifetime,
  binding: tokenBinding(profile),
})
const cases = (kind: Kind): Case[] => [
  { name: 'a fresh token', token: (p) => ({ ...base(p), token_type: kind === 'dpop' ? 'DPoP' : 'Bearer' }), served: true },
  { name: 'a fresh login session', at: 'session', token: (p) => ({ ...base(p), token_type: kind === 'dpop' ? 'DPoP' : 'Bearer' }), served: true },
  { name: 'a token expiring within the minimum TTL', token: (p) => base(p, 30), served: false },
  { name: 'a token of another server or client', token: (p) => ({ ...base(p), binding: tokenBinding({ ...p, clientId: 'someone-else' }) }), served: false },
  { name: 'a token with no binding (stored before tokens were bound)', token: (p) => ({ ...base(p), binding: undefined }), served: false },
  { name: 'a token value with a newline', token: (p) => ({ ...base(p), access_token: 'cached\nEVIL=1' }), served: false },
  ...(kind === 'dpop' ? [{ name: 'a Bearer token for a DPoP profile', token: (p: ProfileInput) => base(p), served: false }] : []),
]

async function store(kind: 'file' | 'keychain', key: string, value: string) {
  if (kind === 'file') return writeSecrets(t.configDir, { [key]: value })
  await new KeychainStore().set(key, value)
}

async function expectParity(name: string, profile: ProfileInput, c: Case, storage: 'file' | 'keychain') {
  const shape = { scopes: [...(profile.scopes ?? [])].sort(), audience: profile.audience, resource: profile.resource }
  const key = secretKeys.token(name, tokenCacheKey(shape))
  // A login's session sits where the profile's own token does, with the scopes the login asked for.
  const requested = c.at === 'session' ? { scopes: ['offline_access', 'openid'] } : shape
  const grant = c.at === 'session' ? 'authorization_code' : 'client_credentials'
  const full: Partial<StoredToken> = { obtained_at: now() - 10, grant, requested, response: {}, ...c.token(profile) }
  await store(storage, key, JSON.stringify(full))
  const env = { OAUTHCTL_STORAGE: storage }
  // The full command validates the config, which the fast path then trusts.
  expect((await t.run(['profiles', 'list'], { env })).code).toBe(0)
  Object.assign(t.env, env)
  const quick = await fast(name)
  const slow = await t.run(['token', 'get', '-p', name, '-v'], { env })
  const fromCache = /^\* token from cache/m.test(slow.stderr)
  expect({ fast: quick.answered, full: fromCache }, slow.stderr).toEqual({ fast: c.served, full: c.served })
  if (c.served) expect(quick.out).toBe(slow.stdout)
  else expect(slow.stdout).not.toContain('cached')
}

describe.each(['file', 'dpop', 'mtls', 'vendor'] as const)('%s profile, file store', (kind) => {
  it.each(cases(kind))('$name', async (c) => {
    const profile = profiles()[kind]
    await writeProfiles(t.configDir, { [kind]: profile })
    await expectParity(kind, profile, c, 'file')
  })
})

const keychain = await keychainAvailable()
describe.skipIf(!keychain)('generic profile, OS keychain', () => {
  const name = `parity-${process.pid}`
  afterEach(async () => {
    const store = new KeychainStore()
    for (const key of await store.list(secretKeys.profilePrefix(name))) await store.delete(key)
  })
  it.each(cases('file'))('$name', async (c) => {
    const profile = profiles().file
    await writeProfiles(t.configDir, { [name]: profile })
    await expectParity(name, profile, c, 'keychain')
  })
})
