import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { JSON_DOCUMENTS, type JsonDocumentName, schemaFileName } from '../../src/lib/documents/json-schemas.js'
import type { CliResult } from './cli.js'

/**
 * The --json contract, checked on every CLI run a test makes through isolated().run: a run with
 * --json (or `token get -o json`) that succeeds prints one document that both the zod schema and
 * the committed docs/schemas file accept; one that fails prints the error document as the last
 * line of stderr. A mismatch fails the test that made the run.
 */

const SCHEMAS_DIR = resolve(import.meta.dirname, '../../docs/schemas')
const committed = new Map<JsonDocumentName, z.ZodType>()

/** The committed JSON Schema file, as a validator (zod reads JSON Schema: no second validator needed). */
export function committedSchema(name: JsonDocumentName): z.ZodType {
  let schema = committed.get(name)
  if (!schema) {
    schema = z.fromJSONSchema(JSON.parse(readFileSync(join(SCHEMAS_DIR, schemaFileName(name)), 'utf8')))
    committed.set(name, schema)
  }
  return schema
}

/** Commands whose stdout is not theirs to shape: the child's (exec), git's protocol (git-credential get/store/erase). */
const NO_DOCUMENT = new Set(['exec', 'git-credential get', 'git-credential store', 'git-credential erase'])

/** Which document a command line prints with --json; undefined when it prints none or is not a --json run. */
export function documentFor(args: readonly string[]): JsonDocumentName | 'none' | undefined {
  const dashDash = args.indexOf('--')
  const own = dashDash === -1 ? args : args.slice(0, dashDash)
  const json = own.includes('--json') || own.some((a, i) => (a === '-o' || a === '--output') && own[i + 1] === 'json') || own.includes('--output=json')
  if (!json) return undefined
  const words = own.filter((a) => !a.startsWith('-'))
  for (const length of [2, 1]) {
    const command = words.slice(0, length).join(' ')
    if (NO_DOCUMENT.has(command)) return 'none'
    if (!(command in JSON_DOCUMENTS)) continue
    const variant = own.find((a) => `${command} ${a}` in JSON_DOCUMENTS)
    return (variant ? `${command} ${variant}` : command) as JsonDocumentName
  }
  return undefined // not a command (a typo, --help): only the error document applies
}

/** Throws naming the document and the problems when `text` is not one document of that schema. */
export function checkDocument(name: JsonDocumentName, text: string, where: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error(`--json contract: ${where} is not one JSON document (${name}):\n${text}`)
  }
  for (const [which, schema] of [
    ['zod schema', JSON_DOCUMENTS[name] as z.ZodType],
    [`docs/schemas/${schemaFileName(name)}`, committedSchema(name)],
  ] as const) {
    const result = schema.safeParse(value)
    if (!result.success) throw new Error(`--json contract: ${where} does not match the ${which} of "${name}":\n${z.prettifyError(result.error)}\n${text}`)
  }
  return value
}

/** The contract check for one finished run; returns the result unchanged. */
export function checkJsonContract(args: readonly string[], result: CliResult): CliResult {
  const name = documentFor(args)
  const jsonFlag = args.slice(0, args.includes('--') ? args.indexOf('--') : undefined).includes('--json')
  if (name === undefined && !jsonFlag) return result
  if (name !== undefined && name !== 'none' && result.stdout !== '') checkDocument(name, result.stdout, `stdout of oauthctl ${args.join(' ')}`)
  if (result.code !== 0 && result.code !== null && jsonFlag && name !== 'none') {
    const last = result.stderr.trimEnd().split('\n').at(-1) ?? ''
    checkDocument('error', last, `the last stderr line of oauthctl ${args.join(' ')} (exit ${result.code})`)
  }
  return result
}
