import { readJsonFile } from '../config/store.js'
import { usageError } from '../errors.js'
import { type ClientSpec, ClientSpecSchema, SPEC_FLAGS, type SpecField } from './types.js'

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

/**
 * The client spec from `--from-file` and flags, validated before any request: a flag replaces the
 * same field from the file. Errors name the file and the field, or the flag.
 */
export async function readClientSpec(flags: SpecFlags, file: string | undefined): Promise<ClientSpec> {
  const fromFile = file === undefined ? {} : await readSpecFile(file)
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

/** `--from-file FILE`: JSON with the spec's field names. */
export function readSpecFile(file: string): Promise<ClientSpec> {
  return readJsonFile(file, ClientSpecSchema, 'spec_file')
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
