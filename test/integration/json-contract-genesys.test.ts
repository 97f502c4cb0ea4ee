import { expect, it } from 'vitest'
import { type GenesysFake, useGenesysAdmin } from '../fakes/genesys.js'
import type { Sandboxed } from '../helpers/cli.js'

/**
 * Issue 18 §1 for the administration documents only a Genesys Cloud profile prints: lists are
 * objects ({ scopes }, { authorizations }), except clients list, the one array SPEC.md names.
 * isolated().run checks each against its schema (test/helpers/json-contract.ts).
 */
let t: Sandboxed
useGenesysAdmin((_fake: GenesysFake, i) => (t = i))

it('scopes list and authorizations list are objects; clients list stays an array; usage and the single documents match their schemas', async () => {
  const json = async (args: string[]) => {
    const result = await t.run([...args, '--json'])
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0)
    return JSON.parse(result.stdout)
  }
  const scopes = await json(['scopes', 'list'])
  expect(scopes).toEqual({ scopes: expect.arrayContaining([expect.objectContaining({ id: 'users:readonly' })]) })
  const authorizations = await json(['authorizations', 'list'])
  expect(authorizations.authorizations.length).toBeGreaterThan(0)
  expect(await json(['authorizations', 'get', authorizations.authorizations[0].clientId])).toMatchObject({ clientId: authorizations.authorizations[0].clientId })
  const clients = await json(['clients', 'list'])
  expect(Array.isArray(clients)).toBe(true)
  expect(await json(['clients', 'usage', clients[0].id, '--days', '7'])).toMatchObject({ clientId: clients[0].id, rows: expect.any(Array) })
})
