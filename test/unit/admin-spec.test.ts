import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { genesysDocument, genesysRequest } from '../../src/lib/vendors/genesys/admin.js'
import { nutanixDocument } from '../../src/lib/vendors/nutanix/admin.js'
import { phonecomDocument } from '../../src/lib/vendors/phonecom/admin.js'
import { registrationDocument, registrationMetadata } from '../../src/lib/vendors/generic/admin.js'
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

describe('--from-file: the neutral shape or the back end’s own document, told apart by field names', () => {
  it('RFC 7591 metadata: common fields by their registration names, the rest (auth method, extensions) passed through, server-set fields dropped', async () => {
    const doc = {
      client_id: 'c1',
      client_secret: '[REDACTED]',
      registration_access_token: '[REDACTED]',
      registration_client_uri: 'https://as.example.test/reg/c1',
      client_id_issued_at: 1700000000,
      client_name: 'app',
      redirect_uris: ['https://app.example.test/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'private_key_jwt',
      scope: 'openid  profile',
      software_id: 'ext-4711',
      'https://example.test/claims': { tier: 'gold' },
    }
    const spec = await readClientSpec({}, await file(JSON.stringify(doc)), { native: registrationDocument, id: 'c1' })
    expect(spec).toEqual({
      name: 'app',
      redirectUris: ['https://app.example.test/cb'],
      grantTypes: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'profile'],
      extra: { response_types: ['code'], token_endpoint_auth_method: 'private_key_jwt', software_id: 'ext-4711', 'https://example.test/claims': { tier: 'gold' } },
    })
    expect(registrationMetadata(spec)).toEqual({
      client_name: 'app',
      redirect_uris: ['https://app.example.test/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid profile',
      token_endpoint_auth_method: 'private_key_jwt',
      software_id: 'ext-4711',
      'https://example.test/claims': { tier: 'gold' },
    })
    // A flag still replaces the file's field.
    expect(await readClientSpec({ name: 'flag' }, await file(JSON.stringify(doc)), { native: registrationDocument })).toMatchObject({ name: 'flag', scopes: ['openid', 'profile'] })
  })

  it('the neutral shape still reads as before with a back end that has a native document', async () => {
    const spec = await readClientSpec({}, await file(JSON.stringify({ name: 'n', grantTypes: ['client_credentials'], scopes: ['a'] })), { native: registrationDocument })
    expect(spec).toEqual({ name: 'n', grantTypes: ['client_credentials'], scopes: ['a'] })
  })

  it('a document mixing both shapes is exit 2 naming the file and a field of each', async () => {
    const path = await file(JSON.stringify({ client_name: 'x', grantTypes: ['client_credentials'] }))
    await expect(readClientSpec({}, path, { native: registrationDocument })).rejects.toMatchObject({
      exitCode: 2,
      message: `${path}: mixes oauthctl's field grantTypes with RFC 7591 client metadata's field client_name`,
    })
    const genesys = await file(JSON.stringify({ name: 'x', authorizedGrantType: 'CODE', redirectUris: ['https://a.example.test/cb'] }))
    await expect(readClientSpec({}, genesys, { native: genesysDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/mixes oauthctl's field redirectUris with Genesys Cloud OAuthClient's field authorizedGrantType$/) })
  })

  it('errors name the file and the native field: a wrong type, a value the common checks refuse, an unknown field where the API takes none', async () => {
    const wrongType = await file(JSON.stringify({ client_name: 'x', redirect_uris: 'https://a.example.test/cb' }))
    await expect(readClientSpec({}, wrongType, { native: registrationDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/client\.json: redirect_uris: /) })
    const notUrl = await file(JSON.stringify({ client_name: 'x', redirect_uris: ['not a url'] }))
    await expect(readClientSpec({}, notUrl, { native: registrationDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/client\.json: redirect_uris\.0: must be a URL$/) })
    const badTtl = await file(JSON.stringify({ name: 'x', authorizedGrantType: 'CODE', accessTokenValiditySeconds: -5 }))
    await expect(readClientSpec({}, badTtl, { native: genesysDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/client\.json: accessTokenValiditySeconds: /) })
    const unknown = await file(JSON.stringify({ name: 'x', authorizedGrantType: 'CODE', colour: 'blue' }))
    await expect(readClientSpec({}, unknown, { native: genesysDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/client\.json: unknown field colour \(Genesys Cloud's OAuthClient has no such field\)$/) })
    const neutralUnknown = await file(JSON.stringify({ name: 'x', client_nmae: 'typo' }))
    await expect(readClientSpec({}, neutralUnknown, { native: registrationDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/unknown field client_nmae/) })
    const notObject = await file(JSON.stringify(['x']))
    await expect(readClientSpec({}, notObject, { native: registrationDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/client\.json: must be a JSON object$/) })
  })

  it('a secret the server issues is accepted only redacted, as get --native prints it', async () => {
    const path = await file(JSON.stringify({ client_name: 'x', client_secret: 'a-real-secret', registration_access_token: '[REDACTED]' }))
    await expect(readClientSpec({}, path, { native: registrationDocument })).rejects.toMatchObject({ exitCode: 2, message: `${path}: client_secret: the server issues it, so it cannot be sent` })
    const rat = await file(JSON.stringify({ client_name: 'x', client_secret: '[REDACTED]', registration_access_token: 'rat-value' }))
    await expect(readClientSpec({}, rat, { native: registrationDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('registration_access_token: the server issues it') })
    const nutanix = await file(JSON.stringify({ client_name: 'x', client_secret: 'plain' }))
    await expect(readClientSpec({}, nutanix, { native: nutanixDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('client_secret: the server issues it') })
  })

  it('an id that is not the client being updated is exit 2', async () => {
    const path = await file(JSON.stringify({ client_id: 'other', client_name: 'x' }))
    await expect(readClientSpec({}, path, { native: nutanixDocument, id: 'this-one' })).rejects.toMatchObject({
      exitCode: 2,
      message: `${path}: client_id: is "other", not the client being updated (this-one)`,
    })
    const phone = await file(JSON.stringify({ id: 1207, client_name: 'x', redirect_uris: [] }))
    expect(await readClientSpec({}, phone, { native: phonecomDocument, id: '1207' })).toEqual({ redirectUris: [] })
    await expect(readClientSpec({}, phone, { native: phonecomDocument, id: '1208' })).rejects.toMatchObject({ exitCode: 2 })
  })

  it('Genesys: the OAuthClient body (request or response) becomes the common spec plus state; server-set fields are not kept', async () => {
    const doc = {
      id: 'a1',
      secret: '[REDACTED]',
      selfUri: '/api/v2/oauth/clients/a1',
      dateCreated: '2025-01-10T15:04:05.000Z',
      createdBy: { id: 'u1' },
      name: 'export',
      description: '',
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      accessTokenValiditySeconds: 3600,
      registeredRedirectUri: [],
      scope: [],
      roleDivisions: [{ roleId: 'r1', divisionId: 'd1' }],
      state: 'active',
    }
    const spec = await readClientSpec({}, await file(JSON.stringify(doc)), { native: genesysDocument, id: 'a1' })
    expect(spec).toEqual({
      name: 'export',
      description: '',
      tokenTtl: 3600,
      redirectUris: [],
      grantTypes: ['CLIENT-CREDENTIALS'],
      scopes: [],
      roleDivisions: [{ roleId: 'r1', divisionId: 'd1' }],
      extra: { state: 'active' },
    })
    // The empty scope list of a client-credentials client is left out, not refused.
    expect(genesysRequest(spec)).toEqual({
      name: 'export',
      description: '',
      accessTokenValiditySeconds: 3600,
      registeredRedirectUri: [],
      authorizedGrantType: 'CLIENT-CREDENTIALS',
      scope: undefined,
      roleDivisions: [{ roleId: 'r1', divisionId: 'd1' }],
      state: 'active',
    })
  })

  it('Nutanix: the v3 client body, or the same fields as the spec of a v3 envelope', async () => {
    const body = { client_name: 'n', client_description: 'd', redirect_uris: ['https://a.example.test/cb'], default_scopes: ['vm.read'] }
    const expected = { name: 'n', description: 'd', redirectUris: ['https://a.example.test/cb'], scopes: ['vm.read'] }
    expect(await readClientSpec({}, await file(JSON.stringify(body)), { native: nutanixDocument })).toEqual(expected)
    expect(await readClientSpec({}, await file(JSON.stringify({ spec: body, metadata: { kind: 'oauth_client' }, api_version: '3.1' })), { native: nutanixDocument })).toEqual(expected)
    await expect(readClientSpec({}, await file(JSON.stringify({ spec: body, client_name: 'top' })), { native: nutanixDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/unknown field spec/) })
  })

  it('phone.com: redirect URIs as the listing items get --native prints, as {redirect_uri}, or bare', async () => {
    const doc = { id: 5, client_name: 'c', redirect_uris: [{ id: 1, redirect_uri: 'https://a.example.test/1' }, { redirect_uri: { redirect_uri: 'https://a.example.test/2' } }, 'https://a.example.test/3'] }
    expect(await readClientSpec({}, await file(JSON.stringify(doc)), { native: phonecomDocument })).toEqual({ redirectUris: ['https://a.example.test/1', 'https://a.example.test/2', 'https://a.example.test/3'] })
  })
})
