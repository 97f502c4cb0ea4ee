import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { Operation } from '../../src/lib/admin/types.js'
import { ProfileSchema } from '../../src/lib/config/schema.js'
import { HttpClient } from '../../src/lib/http/client.js'
import { MemoryStore } from '../../src/lib/storage/memory.js'
import { openBackend, withProfileToken } from '../../src/lib/use-cases/admin.js'
import { VENDORS } from '../../src/lib/vendors/registry.js'

const OPERATIONS: Operation[] = ['list', 'get', 'create', 'update', 'delete', 'rotateSecret', 'usage', 'scopes', 'authorizations']
const administered = VENDORS.filter((v) => v.admin)

describe('the vendor registry', () => {
  it('names each provider once', () => {
    expect(new Set(VENDORS.map((v) => v.provider)).size).toBe(VENDORS.length)
  })

  it.each(administered.map((v) => [v.provider, v] as const))("%s: the operations it declares are its back end's", async (provider, vendor) => {
    const ctx = withProfileToken({
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
    const backend = await openBackend(ctx)
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
