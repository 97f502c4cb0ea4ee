import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkSpecFields, parseRoleDivision, readClientSpec, requireChanges, requireName } from '../../src/lib/admin/spec.js'
import { CliError } from '../../src/lib/errors.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oauthctl-spec-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const file = async (content: string) => {
  const path = join(dir, 'client.json')
  await writeFile(path, content)
  return path
}

/** The usage error a call throws, as [exit code, message]. */
async function usage(p: Promise<unknown> | (() => unknown)): Promise<[number, string]> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    expect(err).toBeInstanceOf(CliError)
    return [(err as CliError).exitCode, (err as CliError).message]
  }
  throw new Error('expected a usage error')
}

describe('readClientSpec', () => {
  it('maps flags to the common fields and lets them replace the file fields', async () => {
    const path = await file(JSON.stringify({ name: 'from-file', scopes: ['a'], tokenTtl: 600, roleDivisions: [{ roleId: 'r', divisionId: 'd' }] }))
    const spec = await readClientSpec({ name: 'from-flag', 'redirect-uri': ['https://app.example.test/cb'], 'grant-type': [], 'role-division': ['role-1:div-1'] }, path)
    expect(spec).toEqual({
      name: 'from-flag',
      scopes: ['a'],
      tokenTtl: 600,
      redirectUris: ['https://app.example.test/cb'],
      roleDivisions: [{ roleId: 'role-1', divisionId: 'div-1' }],
    })
  })

  it('names the file and the field of a bad file', async () => {
    expect(await usage(readClientSpec({}, await file('{"redirectUris": ["not a url"]}')))).toEqual([2, `${join(dir, 'client.json')}: redirectUris.0: must be a URL`])
    expect((await usage(readClientSpec({}, await file('{"tokenTtl": -5}'))))[1]).toMatch(/client\.json: tokenTtl: /)
    expect((await usage(readClientSpec({}, await file('{"client_name": "x"}'))))[1]).toMatch(/client\.json: unknown field client_name \(known: name, description/)
    expect((await usage(readClientSpec({}, await file('[1]'))))[1]).toMatch(/client\.json: /)
    expect((await usage(readClientSpec({}, await file('{'))))[1]).toMatch(/client\.json is not valid JSON/)
    expect((await usage(readClientSpec({}, join(dir, 'missing.json'))))[1]).toBe(`cannot read ${join(dir, 'missing.json')}: ENOENT`)
  })

  it('names the flag of a bad flag value', async () => {
    expect(await usage(readClientSpec({ 'redirect-uri': ['nope'] }, undefined))).toEqual([2, '--redirect-uri: must be a URL'])
    expect((await usage(readClientSpec({ name: '' }, undefined)))[1]).toMatch(/^--name: /)
    expect((await usage(readClientSpec({ 'role-division': ['no-colon'] }, undefined)))[1]).toBe('--role-division takes ROLE_ID:DIVISION_ID')
  })
})

describe('spec checks', () => {
  it('parses ROLE:DIVISION at the first colon and refuses empty halves', () => {
    expect(parseRoleDivision('r:d:x')).toEqual({ roleId: 'r', divisionId: 'd:x' })
    expect(() => parseRoleDivision(':d')).toThrow(CliError)
    expect(() => parseRoleDivision('r:')).toThrow(CliError)
  })

  it('refuses fields a back end has no place for, naming field and flag', async () => {
    expect(() => checkSpecFields({ name: 'x' }, new Set(['name']), 'X')).not.toThrow()
    expect(await usage(() => checkSpecFields({ name: 'x', tokenTtl: 5, grantTypes: ['a'] }, new Set(['name']), 'X'))).toEqual([
      2,
      'X: clients have no grantTypes (--grant-type), tokenTtl (--token-ttl)',
    ])
  })

  it('needs a name to create and a change to update', async () => {
    expect(requireName({ name: 'n' })).toBe('n')
    expect((await usage(() => requireName({})))[1]).toContain('--name is required')
    expect((await usage(() => requireChanges({})))[1]).toBe('nothing to change')
    expect(() => requireChanges({ scopes: ['s'] })).not.toThrow()
  })
})
