import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Operation } from '../../src/lib/admin/types.js'
import { ProfileSchema } from '../../src/lib/config/schema.js'
import { HttpClient } from '../../src/lib/http/client.js'
import { MemoryStore } from '../../src/lib/storage/memory.js'
import { loadConfig } from '../../src/lib/config/store.js'
import { CliError } from '../../src/lib/errors.js'
import { addProfile } from '../../src/lib/use-cases/add-profile.js'
import { openBackend, withProfileToken } from '../../src/lib/use-cases/admin.js'
import { VENDORS } from '../../src/lib/vendors/registry.js'

const OPERATIONS: Operation[] = ['list', 'get', 'create', 'update', 'delete', 'rotateSecret', 'usage', 'scopes', 'authorizations']
const administered = VENDORS.filter((v) => v.admin)

const adminContext = (provider: string) =>
  withProfileToken({
    profileName: 'p',
    profile: ProfileSchema.parse({ provider, region: 'mypurecloud.ie', host: 'https://admin.example', clientId: 'c', endpoints: { token: 'https://admin.example/token' } }),
    http: new HttpClient(),
    store: async () => new MemoryStore(),
    env: {},
    configDir: '/nonexistent',
    now: () => 0,
    sleep: async () => undefined,
    warn: () => undefined,
  })

const rejection = async (promise: Promise<unknown>): Promise<CliError> => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(CliError)
  return err as CliError
}

describe('what the registry guards', () => {
  it('a vendor with no admin back end: exit 2, naming the providers that have one', async () => {
    const err = await rejection(openBackend(adminContext('persona')))
    expect([err.exitCode, err.code, err.message, err.hint]).toEqual([
      2,
      'not_supported',
      'client administration is not available for provider persona',
      'it works with generic, genesys, nutanix and phonecom profiles',
    ])
  })

  describe('configs', () => {
    let dir: string
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'oauthctl-registry-test-'))
    })
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true })
    })

    it('profiles add with a provider the registry lacks: exit 2 naming the field, nothing written', async () => {
      const deps = { configDir: dir, http: async () => new HttpClient(), store: async () => new MemoryStore() }
      const err = await rejection(addProfile({ name: 'x', fields: { provider: 'nope', endpoints: { token: 'https://x.example/token' } }, makeDefault: false, refreshDiscovery: false }, deps))
      expect([err.exitCode, err.code, err.message]).toEqual([2, 'config_invalid', `profile x: provider: must be one of ${VENDORS.map((v) => v.provider).join(', ')}`])
      expect(existsSync(join(dir, 'config.json'))).toBe(false)
    })

    it('a config file keeps its strict top level under the registry check (an unknown key is exit 2)', async () => {
      await writeFile(join(dir, 'config.json'), JSON.stringify({ version: 1, profile: {} }), { mode: 0o600 })
      const err = await rejection(loadConfig(dir))
      expect([err.exitCode, err.code]).toEqual([2, 'config_invalid'])
    })
  })
})

describe('the vendor registry', () => {
  it('names each provider once', () => {
    expect(new Set(VENDORS.map((v) => v.provider)).size).toBe(VENDORS.length)
  })

  it.each(administered.map((v) => [v.provider, v] as const))("%s: the operations it declares are its back end's", async (provider, vendor) => {
    const backend = await openBackend(adminContext(provider))
    expect(OPERATIONS.filter((op) => backend[op] !== undefined)).toEqual(OPERATIONS.filter((op) => vendor.admin!.offers.includes(op)))
  })

  it("the README's table of what each back end offers is the registry's", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const table = readme.split('\n').filter((line) => line.startsWith('| ') && readme.indexOf(line) > readme.indexOf('An operation a back end lacks'))
    const [header, ...rows] = table.slice(0, 6)
    expect(header!.split('|').slice(2, -1).map((c) => c.trim())).toEqual(administered.map((v) => v.label))
    const opsOfRow: Record<string, Operation[]> = {
      list: ['list'],
      'get / update / delete': ['get', 'update', 'delete'],
      create: ['create'],
      'rotate-secret': ['rotateSecret'],
      'usage, scopes, authorizations': ['usage', 'scopes', 'authorizations'],
    }
    for (const row of rows) {
      const [name, ...cells] = row.split('|').slice(1, -1).map((c) => c.trim())
      const ops = opsOfRow[name!]
      expect(ops, `README row ${name}`).toBeDefined()
      administered.forEach((vendor, i) => {
        expect(!cells[i]!.startsWith('no'), `${name} for ${vendor.label}: "${cells[i]}"`).toBe(ops!.some((op) => vendor.admin!.offers.includes(op)))
      })
    }
  })
})
