import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { usageError } from '../errors.js'

/**
 * RFC 9396 §2: `authorization_details` is a JSON array of objects, each with a string `type`; the
 * other fields depend on the type and are the server's to judge.
 */
export const AuthorizationDetailsSchema = z
  .array(
    z.looseObject(
      { type: z.string({ error: 'each entry needs a string "type"' }).min(1, 'each entry needs a non-empty "type"') },
      { error: 'each entry must be a JSON object' },
    ),
    { error: 'must be a JSON array of objects' },
  )
  .min(1, 'must not be an empty array')

export type AuthorizationDetails = z.infer<typeof AuthorizationDetailsSchema>

/**
 * `--authorization-details FILE|JSON`: inline JSON when the value starts like JSON, else a file
 * holding it. Validated before anything is sent; an error names the flag, the source and the field.
 */
export async function readAuthorizationDetails(value: string, flag = '--authorization-details'): Promise<AuthorizationDetails> {
  const inline = /^\s*[[{]/.test(value)
  const source = inline ? flag : `${flag} ${value}`
  let text = value
  if (!inline) {
    try {
      text = await readFile(value, 'utf8')
    } catch (err) {
      throw usageError(`${flag}: cannot read ${value}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, { code: 'bad_authorization_details' })
    }
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw usageError(`${source}: not valid JSON (${(err as Error).message})`, { code: 'bad_authorization_details' })
  }
  const result = AuthorizationDetailsSchema.safeParse(json)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '')
    throw usageError(`${source}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}`, { code: 'bad_authorization_details' })
  }
  return result.data
}
