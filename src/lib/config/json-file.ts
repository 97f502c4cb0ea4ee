import { readFile } from 'node:fs/promises'
import type { z } from 'zod'
import { type ErrorCode, usageError } from '../errors.js'

/** Names the first wrong field of a zod failure the way a user would look for it in the file. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'invalid'
  const path = issue.path.map(String).join('.')
  return path ? `${path}: ${issue.message}` : issue.message
}

/** JSON text validated against its schema; a failure (exit 2) names the file and the first wrong field. */
export function parseJsonFile<S extends z.ZodType>(path: string, text: string, schema: S, code: ErrorCode): z.infer<S> {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    throw usageError(`${path} is not valid JSON: ${(err as Error).message}`, { code })
  }
  const result = schema.safeParse(raw)
  if (!result.success) throw usageError(`${path}: ${describeIssue(result.error)}`, { code })
  return result.data
}

/** A JSON file read and validated (see parseJsonFile); an unreadable file is exit 2 naming it. */
export async function readJsonFile<S extends z.ZodType>(path: string, schema: S, code: ErrorCode): Promise<z.infer<S>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw usageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, { code })
  }
  return parseJsonFile(path, text, schema, code)
}
