import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  isSecretName,
  REDACTED,
  redactBody,
  redactHeaders,
  redactJson,
  redactText,
  redactUrl,
  registerRequestSecrets,
  registerSecret,
} from '../../src/lib/redact.js'

/** The secret-bearing names the spec requires, in snake_case; each also tested in kebab-case. */
const FIELD_NAMES = [
  'client_secret',
  'code',
  'code_verifier',
  'refresh_token',
  'access_token',
  'id_token',
  'password',
  'registration_access_token',
  'assertion',
] as const
const ALL_NAMES = ['authorization', ...FIELD_NAMES] as const
const kebab = (name: string) => name.replaceAll('_', '-')
/** A distinct, unregistered value per name, so a leak names the field it came from. */
const valueFor = (name: string) => `v4lue-of-${name.replaceAll('_', '')}-9Qx`

describe('isSecretName', () => {
  it.each(ALL_NAMES)('%s is a secret name in snake, kebab and mixed case', (name) => {
    expect(isSecretName(name)).toBe(true)
    expect(isSecretName(kebab(name))).toBe(true)
    expect(isSecretName(name.toUpperCase())).toBe(true)
    expect(isSecretName(kebab(name).replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()))).toBe(true)
  })

  it.each(['grant_type', 'scope', 'client_id', 'redirect_uri', 'state', 'token_type', 'expires_in'])('%s is not a secret name', (name) => {
    expect(isSecretName(name)).toBe(false)
  })
})

describe('redactHeaders', () => {
  it('redacts Authorization keeping the scheme, whatever the header case', () => {
    expect(redactHeaders({ Authorization: 'Bearer abc.def' })).toEqual({ Authorization: 'Bearer [REDACTED]' })
    expect(redactHeaders({ authorization: 'Basic Y2xpZW50OnNlY3JldA==' })).toEqual({ authorization: 'Basic [REDACTED]' })
    expect(redactHeaders({ AUTHORIZATION: 'DPoP tok' })).toEqual({ AUTHORIZATION: 'DPoP [REDACTED]' })
    expect(redactHeaders({ authorization: 'opaque-credential' })).toEqual({ authorization: REDACTED })
  })

  it.each(FIELD_NAMES)('redacts a %s header in snake and kebab case', (name) => {
    const value = valueFor(name)
    const out = redactHeaders({ [name]: value, [kebab(name)]: value, 'X-Other': 'visible' })
    expect(out[name]).toBe(REDACTED)
    expect(out[kebab(name)]).toBe(REDACTED)
    expect(out['X-Other']).toBe('visible')
    expect(JSON.stringify(out)).not.toContain(value)
  })

  it('joins array values and drops undefined ones', () => {
    expect(redactHeaders({ accept: ['a', 'b'], skipped: undefined, 'set-cookie': ['s=1', 't=2'] })).toEqual({
      accept: 'a, b',
      'set-cookie': REDACTED,
    })
  })

  it('keeps non-secret headers visible', () => {
    expect(redactHeaders({ 'content-type': 'application/json', 'x-client-id': 'my-client' })).toEqual({
      'content-type': 'application/json',
      'x-client-id': 'my-client',
    })
  })
})

describe('redactBody: form bodies', () => {
  const FORM = 'application/x-www-form-urlencoded'

  it.each(ALL_NAMES)('redacts %s in a form body (snake and kebab case)', (name) => {
    const value = valueFor(name)
    for (const key of [name, kebab(name)]) {
      const body = `grant_type=authorization_code&${key}=${value}&client_id=cli-1&scope=openid`
      const out = redactBody(body, FORM)
      expect(out).not.toContain(value)
      const params = new URLSearchParams(out)
      expect(params.get(key)).toBe(REDACTED)
      expect(params.get('grant_type')).toBe('authorization_code')
      expect(params.get('client_id')).toBe('cli-1')
      expect(params.get('scope')).toBe('openid')
    }
  })

  it('redacts every secret field of a full token request at once', () => {
    const body = new URLSearchParams(FIELD_NAMES.map((n): [string, string] => [n, valueFor(n)])).toString()
    const out = redactBody(body, `${FORM}; charset=UTF-8`)
    for (const name of FIELD_NAMES) {
      expect(out).not.toContain(valueFor(name))
      expect(new URLSearchParams(out).get(name)).toBe(REDACTED)
    }
  })

  it('redacts a percent-encoded secret value', () => {
    const out = redactBody('client_secret=p%40ss%2Fw0rd%3D%3D&grant_type=client_credentials', FORM)
    expect(out).not.toContain('p%40ss')
    expect(out).not.toContain('p@ss')
    expect(new URLSearchParams(out).get('client_secret')).toBe(REDACTED)
  })
})

describe('redactBody and redactJson: JSON bodies', () => {
  it.each(ALL_NAMES)('redacts %s at the top level, in nested objects and in arrays (snake and kebab case)', (name) => {
    const value = valueFor(name)
    for (const key of [name, kebab(name)]) {
      const doc = {
        [key]: value,
        client_id: 'cli-1',
        nested: { deeper: { [key]: value, scope: 'openid' } },
        list: [{ [key]: value }, [{ [key]: value, grant_type: 'refresh_token' }]],
      }
      const text = redactBody(JSON.stringify(doc), 'application/json')
      expect(text).not.toContain(value)
      expect(JSON.parse(text)).toEqual({
        [key]: REDACTED,
        client_id: 'cli-1',
        nested: { deeper: { [key]: REDACTED, scope: 'openid' } },
        list: [{ [key]: REDACTED }, [{ [key]: REDACTED, grant_type: 'refresh_token' }]],
      })
      expect(JSON.stringify(redactJson(doc))).not.toContain(value)
    }
  })

  it('detects JSON without a content type, including a top-level array', () => {
    const out = redactBody('  [{"refresh_token":"RT-ARRAY-1","scope":"a b"}]')
    expect(out).not.toContain('RT-ARRAY-1')
    expect(JSON.parse(out)).toEqual([{ refresh_token: REDACTED, scope: 'a b' }])
  })

  it('redacts a whole object or number held under a secret name, and leaves null and empty values', () => {
    expect(redactJson({ password: { nested: 'P-NESTED-1' }, code: 123456, access_token: null, id_token: '' })).toEqual({
      password: REDACTED,
      code: REDACTED,
      access_token: null,
      id_token: '',
    })
  })

  it('keeps a key named __proto__ a key (server JSON can carry one), redacted inside like any other', () => {
    const out = redactJson(JSON.parse('{"__proto__": {"client_secret": "S-PROTO-1"}, "name": "n"}')) as Record<string, unknown>
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(JSON.stringify(out)).toBe(`{"__proto__":{"client_secret":"${REDACTED}"},"name":"n"}`)
  })

  it('does not mutate its input', () => {
    const doc = { access_token: 'AT-KEEP-ME', inner: { refresh_token: 'RT-KEEP-ME' } }
    redactJson(doc)
    expect(doc).toEqual({ access_token: 'AT-KEEP-ME', inner: { refresh_token: 'RT-KEEP-ME' } })
  })

  it('hands back a clean value as it is, and copies only the path to a redacted value (keys in their order)', () => {
    const clean = { client_id: 'c1', redirect_uris: ['https://app.example/cb'], meta: { scopes: ['a', 'b'] } }
    expect(redactJson(clean)).toBe(clean)
    const doc = { a: 1, shared: { x: 'y' }, list: ['keep', { client_secret: 'S-COW-1' }], z: 'last' }
    const out = redactJson(doc) as typeof doc
    expect(out).not.toBe(doc)
    expect(out.shared).toBe(doc.shared)
    expect(out.list).not.toBe(doc.list)
    expect(Object.keys(out)).toEqual(['a', 'shared', 'list', 'z'])
    expect(out).toEqual({ a: 1, shared: { x: 'y' }, list: ['keep', { client_secret: REDACTED }], z: 'last' })
    expect(doc.list[1]).toEqual({ client_secret: 'S-COW-1' })
  })

  it('redacts a secret-bearing key name whose value is clean, keeping the keys before it', () => {
    const jwt = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.'
    expect(redactJson({ first: 1, [jwt]: 'v', after: 2 })).toEqual({ first: 1, [REDACTED]: 'v', after: 2 })
  })

  it('redacts a key that became a known secret after it was first seen (remembered keys are forgotten on a new secret)', () => {
    const key = 'Key-Named-After-A-Secret-1'
    expect(redactJson({ [key]: 1 })).toEqual({ [key]: 1 })
    registerSecret(key)
    expect(redactJson({ [key]: 1 })).toEqual({ [REDACTED]: 1 })
  })

  it('falls back to text rules for a body that only looks like JSON', () => {
    const jwt = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.'
    expect(redactBody(`{not json ${jwt}`, 'application/json')).toBe(`{not json ${REDACTED}`)
  })
})

describe('redactUrl', () => {
  it.each(ALL_NAMES)('redacts %s in a query string and in a fragment (snake and kebab case)', (name) => {
    const value = valueFor(name)
    for (const key of [name, kebab(name)]) {
      const query = new URL(redactUrl(`https://as.example/cb?${key}=${value}&state=st1&scope=openid`))
      expect(query.toString()).not.toContain(value)
      expect(query.searchParams.get(key)).toBe(REDACTED)
      expect(query.searchParams.get('state')).toBe('st1')
      expect(query.searchParams.get('scope')).toBe('openid')

      const fragment = redactUrl(`https://app.example/cb#${key}=${value}&token_type=Bearer&expires_in=3600`)
      expect(fragment).not.toContain(value)
      const params = new URLSearchParams(new URL(fragment).hash.slice(1))
      expect(params.get(key)).toBe(REDACTED)
      expect(params.get('token_type')).toBe('Bearer')
      expect(params.get('expires_in')).toBe('3600')
    }
  })

  it('redacts user info in the URL', () => {
    const out = redactUrl('https://admin:hunter2-pw@as.example/path')
    expect(out).not.toContain('hunter2-pw')
    expect(out).not.toContain('admin')
    expect(out).toContain('as.example/path')
  })

  it('keeps a URL without secrets as it was', () => {
    expect(redactUrl('https://as.example/authorize?client_id=cli-1&response_type=code')).toBe(
      'https://as.example/authorize?client_id=cli-1&response_type=code',
    )
  })

  it('redacts the text of an unparseable URL', () => {
    const jwt = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2ln'
    expect(redactUrl(`not a url ${jwt}`)).toBe(`not a url ${REDACTED}`)
  })
})

describe('redactText', () => {
  it('removes a registered secret from arbitrary text, every occurrence', () => {
    registerSecret('Sup3r-Secr3t-Value')
    expect(redactText('a Sup3r-Secr3t-Value b Sup3r-Secr3t-Value')).toBe(`a ${REDACTED} b ${REDACTED}`)
    expect(redactText('inside:xSup3r-Secr3t-Valuex')).toBe(`inside:x${REDACTED}x`)
    expect(redactHeaders({ 'x-debug': 'saw Sup3r-Secr3t-Value' })).toEqual({ 'x-debug': `saw ${REDACTED}` })
    expect(redactBody('grant_type=Sup3r-Secr3t-Value', 'application/x-www-form-urlencoded')).not.toContain('Sup3r-Secr3t-Value')
    expect(redactUrl('https://as.example/cb?state=Sup3r-Secr3t-Value')).not.toContain('Sup3r-Secr3t-Value')
    expect(JSON.stringify(redactJson({ note: ['Sup3r-Secr3t-Value'] }))).not.toContain('Sup3r-Secr3t-Value')
  })

  it('removes the longer of two overlapping registered secrets whole', () => {
    registerSecret('abcd-1234')
    registerSecret('abcd-1234-efgh-5678')
    expect(redactText('x abcd-1234-efgh-5678 y abcd-1234 z')).toBe(`x ${REDACTED} y ${REDACTED} z`)
  })

  it('ignores values too short to register, and absent values', () => {
    registerSecret('abc')
    registerSecret(undefined)
    registerSecret(null)
    registerSecret('')
    expect(redactText('abc is fine')).toBe('abc is fine')
  })

  it('redacts JWT-looking strings (JWS and JWE) anywhere', () => {
    const jws = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ1c2VyLTEiLCJhdWQiOiJhcGkifQ.c2lnbmF0dXJlLWJ5dGVz'
    const jwe = 'eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.ZW5jcnlwdGVka2V5.aXY.Y2lwaGVydGV4dA.dGFn'
    const unsigned = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.'
    expect(redactText(`token ${jws} end`)).toBe(`token ${REDACTED} end`)
    expect(redactText(`(${jwe})`)).toBe(`(${REDACTED})`)
    expect(redactText(`x=${unsigned}`)).toBe(`x=${REDACTED}`)
    expect(redactHeaders({ 'x-forwarded-token': jws })['x-forwarded-token']).toBe(REDACTED)
    expect(redactBody(JSON.stringify({ note: `got ${jws}` }), 'application/json')).toBe(JSON.stringify({ note: `got ${REDACTED}` }))
    expect(redactBody(`scope=openid&hint=${jws}`, 'application/x-www-form-urlencoded')).not.toContain(jws)
    expect(redactUrl(`https://as.example/logout?id_token_hint=${jws}`)).not.toContain(jws)
  })

  it('leaves text without secrets or JWTs unchanged', () => {
    const text = 'grant_type=client_credentials scope=openid client_id=cli-1 eyJ alone is not a JWT'
    expect(redactText(text)).toBe(text)
  })

  it('keeps non-secret fields visible next to redacted ones', () => {
    const form = redactBody('grant_type=refresh_token&refresh_token=RT-VISIBLE-TEST&client_id=cli-9&scope=openid+email', 'application/x-www-form-urlencoded')
    const params = new URLSearchParams(form)
    expect(params.get('grant_type')).toBe('refresh_token')
    expect(params.get('client_id')).toBe('cli-9')
    expect(params.get('scope')).toBe('openid email')
    expect(params.get('refresh_token')).toBe(REDACTED)

    const json = JSON.parse(redactBody('{"grant_type":"password","password":"PW-1","client_id":"cli-9","scope":"openid"}', 'application/json'))
    expect(json).toEqual({ grant_type: 'password', password: REDACTED, client_id: 'cli-9', scope: 'openid' })
  })
})

describe('redactText property', () => {
  // A secret that overlaps the marker itself (e.g. "REDACTED", or one starting "ED]...") can be
  // re-formed by the replacement "[REDACTED]"; such values are excluded: no marker can avoid that.
  const overlapsMarker = (s: string) => s.includes('[') || s.includes(']') || REDACTED.includes(s)

  it('a registered secret of 8+ characters never survives in any surrounding text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 8, maxLength: 40 }).filter((s) => !overlapsMarker(s)),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        (secret, prefix, suffix) => {
          registerSecret(secret)
          const out = redactText(prefix + secret + suffix)
          expect(out).not.toContain(secret)
          expect(out).toContain(REDACTED)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('holds for printable ASCII too (the usual alphabet of tokens and passwords)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8, maxLength: 64 }).filter((s) => !overlapsMarker(s)),
        fc.string({ maxLength: 64 }),
        fc.string({ maxLength: 64 }),
        (secret, prefix, suffix) => {
          registerSecret(secret)
          expect(redactText(prefix + secret + suffix)).not.toContain(secret)
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('registerRequestSecrets: what a request sends is redacted when echoed back', () => {
  it('Basic credentials: the header value, the decoded secret and its base64 forms', () => {
    const secret = 'unit-basic-secret/+~x'
    const value = Buffer.from(`a%20client:${encodeURIComponent(secret)}`).toString('base64')
    registerRequestSecrets({ Authorization: `Basic ${value}` }, undefined)
    const echo = `${value} ${secret} ${Buffer.from(`a client:${secret}`).toString('base64')} ${encodeURIComponent(secret)}`
    expect(redactText(echo)).toBe(`${REDACTED} ${REDACTED} ${REDACTED} ${REDACTED}`)
  })

  it('bearer tokens, secret-named form fields and JSON members; not other fields', () => {
    registerRequestSecrets({ authorization: 'Bearer unit-bearer-0001', 'content-type': 'application/json' }, 'grant_type=password&password=unit-password-0001&username=unit-user-0001')
    registerRequestSecrets({}, JSON.stringify({ client_secret: 'unit-json-secret-0001', client_id: 'unit-client-0001' }))
    expect(redactText('unit-bearer-0001 unit-password-0001 unit-json-secret-0001 unit-user-0001 unit-client-0001')).toBe(
      `${REDACTED} ${REDACTED} ${REDACTED} unit-user-0001 unit-client-0001`,
    )
  })
})
