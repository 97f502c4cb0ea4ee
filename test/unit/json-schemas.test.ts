import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { JSON_DOCUMENTS, type JsonDocumentName, jsonSchemaFiles } from '../../src/lib/documents/json-schemas.js'
import { renderToken } from '../../src/lib/tokens/token-output.js'
import { renderIdToken } from '../../src/lib/use-cases/id-token.js'
import type { StoredToken } from '../../src/lib/tokens/token-set.js'
import { checkDocument, documentFor } from '../helpers/json-contract.js'

/** Issue 18 §1: --json is a contract, written down as one JSON Schema per command in docs/schemas/. */
const DIR = resolve(import.meta.dirname, '../../docs/schemas')
const files = jsonSchemaFiles()

describe('docs/schemas', () => {
  it('holds exactly what npm run schemas generates from the zod schemas (run it after changing one)', () => {
    const committed = Object.fromEntries(readdirSync(DIR).map((name) => [name, readFileSync(join(DIR, name), 'utf8')]))
    expect(Object.keys(committed).sort()).toEqual(Object.keys(files).sort())
    for (const [name, text] of Object.entries(files)) expect(committed[name], `docs/schemas/${name} is stale: npm run build && npm run schemas`).toBe(text)
  })

  type Node = { type?: string; format?: string; properties?: Record<string, Node>; items?: Node; anyOf?: Node[]; oneOf?: Node[]; additionalProperties?: unknown }
  /** Every object node of a schema, with its path. */
  function* objects(node: Node, path: string): Generator<[string, Node]> {
    if (node.properties) yield [path, node]
    for (const [key, child] of Object.entries(node.properties ?? {})) yield* objects(child, `${path}.${key}`)
    if (node.items) yield* objects(node.items, `${path}[]`)
    for (const [i, child] of [...(node.anyOf ?? []), ...(node.oneOf ?? [])].entries()) yield* objects(child, `${path}|${i}`)
  }
  const parsed = Object.entries(files).map(([name, text]) => [name, JSON.parse(text) as Node] as const)

  it('names every field of ours in camelCase (server documents pass through under one key, with their own names)', () => {
    const offenders = parsed.flatMap(([file, schema]) =>
      [...objects(schema, file)].flatMap(([path, node]) => Object.keys(node.properties ?? {}).filter((k) => !/^[a-z][a-zA-Z0-9]*$/.test(k)).map((k) => `${path}.${k}`)),
    )
    expect(offenders).toEqual([])
  })

  it('gives every …At field as an ISO 8601 date, and every expiry also as …AtEpoch seconds', () => {
    const problems: string[] = []
    for (const [file, schema] of parsed) {
      for (const [path, node] of objects(schema, file)) {
        const props = node.properties ?? {}
        for (const [key, child] of Object.entries(props)) {
          if (/At$/.test(key) && child.format !== 'date-time') problems.push(`${path}.${key} is not a date-time`)
          if (/AtEpoch$/.test(key) && child.type !== 'integer') problems.push(`${path}.${key} is not an integer`)
        }
        if ('expiresAt' in props && !('expiresAtEpoch' in props) && !path.includes('.times')) problems.push(`${path} has expiresAt without expiresAtEpoch`)
      }
    }
    expect(problems).toEqual([])
  })

  it('makes every document an object, except clients list (an array, as SPEC.md says)', () => {
    const tops = parsed.map(([file, schema]) => [file, schema.type ?? (schema.anyOf ?? schema.oneOf)?.map((n) => n.type).join('|')])
    expect(tops.filter(([, type]) => !/^object(\|object)*$/.test(String(type)))).toEqual([['clients-list.json', 'array']])
  })
})

describe('token get -o json (built without zod on the hot path)', () => {
  const token: StoredToken = {
    access_token: 'at-1',
    token_type: 'Bearer',
    expires_at: 1_796_297_513,
    obtained_at: 1_796_293_913,
    refresh_token: 'rt-1',
    id_token: 'id-1',
    grant: 'refresh_token',
    binding: '[]',
    requested: { scopes: ['openid', 'api:read'] },
    response: { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600, vendor_field: 'kept' },
  }

  it('is camelCase with an ISO expiry and its epoch seconds, the scopes the token has, and the server response as sent', () => {
    const doc = checkDocument('token get', renderToken(token, 'json'), 'renderToken json')
    expect(doc).toEqual({
      accessToken: 'at-1',
      tokenType: 'Bearer',
      expiresAt: '2026-12-03T11:31:53.000Z',
      expiresAtEpoch: 1_796_297_513,
      scopes: ['openid', 'api:read'],
      refreshToken: 'rt-1',
      idToken: 'id-1',
      response: token.response,
    })
    expect(checkDocument('token get', renderToken({ ...token, scope: 'api:read' }, 'json'), 'renderToken json')).toMatchObject({ scopes: ['api:read'] })
  })

  it('with --id-token: the ID token and its expiry, the same way', () => {
    const doc = checkDocument('token get --id-token', renderIdToken({ idToken: 'id-1', expiresAt: 1_796_297_513, source: 'cache' }, 'json'), 'renderIdToken json')
    expect(doc).toEqual({ idToken: 'id-1', expiresAt: '2026-12-03T11:31:53.000Z', expiresAtEpoch: 1_796_297_513 })
  })

  it('a field the schema lacks, or a snake_case one, fails the check', () => {
    const doc = JSON.parse(renderToken(token, 'json'))
    expect(() => checkDocument('token get', JSON.stringify({ ...doc, expires_at: 1 }), 'test')).toThrow(/expires_at/)
    expect(() => checkDocument('token get', JSON.stringify({ ...doc, expiresAt: 1_796_297_513 }), 'test')).toThrow(/expiresAt/)
  })
})

describe('which document a command line prints', () => {
  it.each<[string[], JsonDocumentName | 'none' | undefined]>([
    [['status', '--json'], 'status'],
    [['status'], undefined],
    [['token', 'get', '-o', 'json'], 'token get'],
    [['token', 'get', '--output', 'header', '--json'], 'token get'],
    [['token', 'get', '--id-token', '--output', 'json'], 'token get --id-token'],
    [['clients', 'get', 'abc', '--native', '--json'], 'clients get --native'],
    [['sandbox', '--demo', '--json'], 'sandbox --demo'],
    [['exec', '--json', '--', 'env'], 'none'],
    [['exec', '--', 'tool', '--json'], undefined],
  ])('%j → %s', (args, name) => {
    expect(documentFor(args)).toBe(name)
  })

  it('names a document for every command the schemas cover', () => {
    for (const name of Object.keys(JSON_DOCUMENTS) as JsonDocumentName[]) {
      if (name === 'error') continue
      expect(documentFor([...name.split(' '), '--json'])).toBe(name)
    }
  })
})
