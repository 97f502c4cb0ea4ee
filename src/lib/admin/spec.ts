import { z } from 'zod'
import { describeIssue, readJsonFile } from '../config/json-file.js'
import { usageError } from '../errors.js'
import { REDACTED } from '../redact.js'
import { type ClientSpec, ClientSpecSchema, type NativeFormat, SPEC_FLAGS, type SpecField } from './types.js'

/** The create/update flags as oclif parses them (see specFlags). */
export interface SpecFlags {
  name?: string
  description?: string
  'redirect-uri'?: string[]
  'grant-type'?: string[]
  scope?: string[]
  'token-ttl'?: number
  'role-division'?: string[]
}

/** Where `--from-file` is read for: the back end's own document (when it has one) and, for update, the client's id. */
export interface SpecFileOptions {
  native?: NativeFormat
  id?: string
}

/**
 * The client spec from `--from-file` and flags, validated before any request: a flag replaces the
 * same field from the file. Errors name the file and the field, or the flag.
 */
export async function readClientSpec(flags: SpecFlags, file: string | undefined, options: SpecFileOptions = {}): Promise<ClientSpec> {
  const fromFile = file === undefined ? {} : await readSpecFile(file, options)
  const given: Record<SpecField, unknown> = {
    name: flags.name,
    description: flags.description,
    redirectUris: nonEmpty(flags['redirect-uri']),
    grantTypes: nonEmpty(flags['grant-type']),
    scopes: nonEmpty(flags.scope),
    tokenTtl: flags['token-ttl'],
    roleDivisions: nonEmpty(flags['role-division'])?.map(parseRoleDivision),
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined))
  const result = ClientSpecSchema.safeParse(defined)
  if (!result.success) {
    const field = result.error.issues[0]?.path[0] as SpecField | undefined
    throw usageError(`${field ? SPEC_FLAGS[field] : 'flags'}: ${result.error.issues[0]?.message ?? 'invalid'}`, { code: 'bad_flag' })
  }
  return { ...fromFile, ...result.data }
}

const DocumentSchema = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' })
const NEUTRAL_NAMES: ReadonlySet<string> = new Set(Object.keys(SPEC_FLAGS))

/** `--from-file FILE`: JSON in oauthctl's neutral shape, or the back end's own client document. */
export async function readSpecFile(file: string, options: SpecFileOptions = {}): Promise<ClientSpec> {
  const doc = await readJsonFile(file, DocumentSchema, 'spec_file')
  const native = options.native && isNative(file, doc, options.native) ? options.native : undefined
  if (!native) return parseIn(file, doc, ClientSpecSchema)
  return readNative(file, parseIn(file, doc, native.schema), native, options.id)
}

/**
 * Which shape a document is, from its top-level names alone. A name that only the back end's own
 * document has (client_name, authorizedGrantType, default_scopes…) makes it native; a name that
 * only the neutral shape has (grantTypes, redirectUris…) makes it neutral; both at once is
 * ambiguous: exit 2 naming one of each. Names the two shapes share (Genesys's name and
 * description) mean the same in both, so a document of only those reads the same either way; a
 * name neither knows is refused by the neutral shape, or in a native document by its own schema
 * (or passed through where the API takes extension metadata, RFC 7591).
 */
function isNative(file: string, doc: Record<string, unknown>, native: NativeFormat): boolean {
  const names = Object.keys(doc)
  const nativeOnly = names.find((n) => native.names.has(n) && !NEUTRAL_NAMES.has(n))
  const neutralOnly = names.find((n) => NEUTRAL_NAMES.has(n) && !native.names.has(n))
  if (nativeOnly && neutralOnly) {
    throw usageError(`${file}: mixes oauthctl's field ${neutralOnly} with ${native.label}'s field ${nativeOnly}`, {
      code: 'spec_file',
      hint: `use one shape: oauthctl's (${[...NEUTRAL_NAMES].join(', ')}) or the ${native.label} document that clients get ID --json --native prints`,
    })
  }
  return nativeOnly !== undefined
}

/** A value validated by `schema`, or exit 2 naming the file and the first wrong field. */
function parseIn<S extends z.ZodType>(file: string, value: unknown, schema: S): z.infer<S> {
  const result = schema.safeParse(value)
  if (!result.success) throw usageError(`${file}: ${describeIssue(result.error)}`, { code: 'spec_file' })
  return result.data
}

/** A native document as a spec: its id checked against the client being updated, its common fields checked under their native names. */
function readNative(file: string, doc: Record<string, unknown>, native: NativeFormat, id: string | undefined): ClientSpec {
  const docId = doc[native.idField]
  if (id !== undefined && docId !== undefined && String(docId) !== id) {
    throw usageError(`${file}: ${native.idField}: is ${JSON.stringify(docId)}, not the client being updated (${id})`, { code: 'spec_file' })
  }
  const secret = native.secretFields.find((field) => doc[field] !== undefined && doc[field] !== REDACTED)
  if (secret) {
    throw usageError(`${file}: ${secret}: the server issues it, so it cannot be sent`, { code: 'spec_file', hint: `leave ${secret} out (clients rotate-secret issues a new secret)` })
  }
  const { spec, extra } = native.read(doc)
  const defined = Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined))
  const result = ClientSpecSchema.safeParse(defined)
  if (!result.success) {
    const [field, ...rest] = result.error.issues[0]?.path ?? []
    const name = [native.fields[field as SpecField] ?? String(field), ...rest.map(String)].join('.')
    throw usageError(`${file}: ${name}: ${result.error.issues[0]?.message ?? 'invalid'}`, { code: 'spec_file' })
  }
  return extra && Object.keys(extra).length > 0 ? { ...result.data, extra } : result.data
}

/** `--role-division ROLE:DIVISION`. */
export function parseRoleDivision(value: string): { roleId: string; divisionId: string } {
  const colon = value.indexOf(':')
  if (colon <= 0 || colon === value.length - 1) throw usageError('--role-division takes ROLE_ID:DIVISION_ID', { code: 'bad_flag' })
  return { roleId: value.slice(0, colon), divisionId: value.slice(colon + 1) }
}

/** Refuse fields this back end has no place for: never drop part of what was asked. */
export function checkSpecFields(spec: ClientSpec, supported: ReadonlySet<SpecField>, label: string): void {
  const unsupported = (Object.keys(SPEC_FLAGS) as SpecField[]).filter((field) => spec[field] !== undefined && !supported.has(field))
  if (unsupported.length === 0) return
  throw usageError(`${label}: clients have no ${unsupported.map((f) => `${f} (${SPEC_FLAGS[f]})`).join(', ')}`, {
    code: 'unsupported_field',
    hint: `${label} takes: ${[...supported].map((f) => SPEC_FLAGS[f]).join(', ') || 'nothing'}`,
  })
}

/** `update` with nothing to change is a mistake worth saying, not a request worth sending. */
export function requireChanges(spec: ClientSpec): void {
  if (Object.values(spec).every((v) => v === undefined)) {
    throw usageError('nothing to change', { code: 'nothing_to_change', hint: `give at least one of ${Object.values(SPEC_FLAGS).join(', ')}, or --from-file` })
  }
}

export function requireName(spec: ClientSpec): string {
  if (!spec.name) throw usageError('--name is required (or "name" in --from-file)', { code: 'missing_name' })
  return spec.name
}

const nonEmpty = <T>(values: T[] | undefined) => (values && values.length > 0 ? values : undefined)
