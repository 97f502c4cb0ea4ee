import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { genesysDocument, genesysRequest } from '../../src/lib/admin/genesys.js'
import { nutanixDocument } from '../../src/lib/admin/nutanix.js'
import { phonecomDocument } from '../../src/lib/admin/phonecom.js'
import { registrationDocument, registrationMetadata } from '../../src/lib/admin/rfc7591.js'
import { readClientSpec } from '../../src/lib/admin/spec.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oauthctl-native-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const file = async (doc: unknown) => {
  const path = join(dir, 'client.json')
  await writeFile(path, JSON.stringify(doc))
  return path
}

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
    const spec = await readClientSpec({}, await file(doc), { native: registrationDocument, id: 'c1' })
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
    expect(await readClientSpec({ name: 'flag' }, await file(doc), { native: registrationDocument })).toMatchObject({ name: 'flag', scopes: ['openid', 'profile'] })
  })

  it('the neutral shape still reads as before with a back end that has a native document', async () => {
    const spec = await readClientSpec({}, await file({ name: 'n', grantTypes: ['client_credentials'], scopes: ['a'] }), { native: registrationDocument })
    expect(spec).toEqual({ name: 'n', grantTypes: ['client_credentials'], scopes: ['a'] })
  })

  it('a document mixing both shapes is exit 2 naming the file and a field of each', async () => {
    const path = await file({ client_name: 'x', grantTypes: ['client_credentials'] })
    await expect(readClientSpec({}, path, { native: registrationDocument })).rejects.toMatchObject({
      exitCode: 2,
      message: `${path}: mixes oauthctl's field grantTypes with RFC 7591 client metadata's field client_name`,
    })
    const genesys = await file({ name: 'x', authorizedGrantType: 'CODE', redirectUris: ['https://a.example.test/cb'] })
    await expect(readClientSpec({}, genesys, { native: genesysDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/mixes oauthctl's field redirectUris with Genesys Cloud OAuthClient's field authorizedGrantType$/) })
  })

  it('errors name the file and the native field: a wrong type, a value the common checks refuse, an unknown field where the API takes none', async () => {
    const wrongType = await file({ client_name: 'x', redirect_uris: 'https://a.example.test/cb' })
    await expect(readClientSpec({}, wrongType, { native: registrationDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/client\.json: redirect_uris: /) })
    const notUrl = await file({ client_name: 'x', redirect_uris: ['not a url'] })
    await expect(readClientSpec({}, notUrl, { native: registrationDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/client\.json: redirect_uris\.0: must be a URL$/) })
    const badTtl = await file({ name: 'x', authorizedGrantType: 'CODE', accessTokenValiditySeconds: -5 })
    await expect(readClientSpec({}, badTtl, { native: genesysDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/client\.json: accessTokenValiditySeconds: /) })
    const unknown = await file({ name: 'x', authorizedGrantType: 'CODE', colour: 'blue' })
    await expect(readClientSpec({}, unknown, { native: genesysDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/client\.json: unknown field colour \(Genesys Cloud's OAuthClient has no such field\)$/) })
    const neutralUnknown = await file({ name: 'x', client_nmae: 'typo' })
    await expect(readClientSpec({}, neutralUnknown, { native: registrationDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/unknown field client_nmae/) })
    const notObject = await file(['x'])
    await expect(readClientSpec({}, notObject, { native: registrationDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/client\.json: must be a JSON object$/) })
  })

  it('an id that is not the client being updated is exit 2', async () => {
    const path = await file({ client_id: 'other', client_name: 'x' })
    await expect(readClientSpec({}, path, { native: nutanixDocument, id: 'this-one' })).rejects.toMatchObject({
      exitCode: 2,
      message: `${path}: client_id: is "other", not the client being updated (this-one)`,
    })
    const phone = await file({ id: 1207, client_name: 'x', redirect_uris: [] })
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
    const spec = await readClientSpec({}, await file(doc), { native: genesysDocument, id: 'a1' })
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
    expect(await readClientSpec({}, await file(body), { native: nutanixDocument })).toEqual(expected)
    expect(await readClientSpec({}, await file({ spec: body, metadata: { kind: 'oauth_client' }, api_version: '3.1' }), { native: nutanixDocument })).toEqual(expected)
    await expect(readClientSpec({}, await file({ spec: body, client_name: 'top' }), { native: nutanixDocument })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/unknown field spec/) })
  })

  it('phone.com: redirect URIs as the listing items get --native prints, as {redirect_uri}, or bare', async () => {
    const doc = { id: 5, client_name: 'c', redirect_uris: [{ id: 1, redirect_uri: 'https://a.example.test/1' }, { redirect_uri: { redirect_uri: 'https://a.example.test/2' } }, 'https://a.example.test/3'] }
    expect(await readClientSpec({}, await file(doc), { native: phonecomDocument })).toEqual({ redirectUris: ['https://a.example.test/1', 'https://a.example.test/2', 'https://a.example.test/3'] })
  })
})
