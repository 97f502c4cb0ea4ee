import { readFile } from 'node:fs/promises'
import type { z } from 'zod'
import { CliError, usageError } from '../errors.js'
import { writeFileAtomic } from '../fs/atomic-write.js'
import { assertConfigDir, readFileNoFollow } from '../fs/config-folder.js'
import { type Config, ConfigSchema } from './schema.js'
import { configFile } from './paths.js'
import { stampValidatedConfig } from './validated-stamp.cjs'

/** Names the first wrong field of a zod failure the way a user would look for it in the file. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'invalid'
  const path = issue.path.map(String).join('.')
  return path ? `${path}: ${issue.message}` : issue.message
}

/** JSON text validated against its schema; a failure (exit 2) names the file and the first wrong field. */
export function parseJsonFile<S extends z.ZodType>(path: string, text: string, schema: S, code: string): z.infer<S> {
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
export async function readJsonFile<S extends z.ZodType>(path: string, schema: S, code: string): Promise<z.infer<S>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw usageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, { code })
  }
  return parseJsonFile(path, text, schema, code)
}

/**
 * The config file, validated. A missing file is an empty config; a broken one is exit 2; a config
 * folder others can write, or a symbolic link in place of the file, is exit 6.
 */
export async function loadConfig(dir: string): Promise<Config> {
  assertConfigDir(dir)
  const path = configFile(dir)
  let text: string
  try {
    text = await readFileNoFollow(path)
  } catch (err) {
    if (err instanceof CliError) throw err
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ConfigSchema.parse({})
    throw usageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, { code: 'config_unreadable' })
  }
  const config = parseJsonFile(path, text, ConfigSchema, 'config_invalid')
  if (config.defaultProfile && !Object.hasOwn(config.profiles, config.defaultProfile)) {
    throw usageError(`${path}: defaultProfile: names a profile that does not exist (${config.defaultProfile})`, { code: 'config_invalid' })
  }
  await stampValidatedConfig(dir, text)
  return config
}

export async function saveConfig(dir: string, config: Config): Promise<void> {
  const text = `${JSON.stringify(ConfigSchema.parse(config), null, 2)}\n`
  await writeFileAtomic(configFile(dir), text)
  await stampValidatedConfig(dir, text)
}

/**
 * Read, change and write the config under a cross-process lock, so that two commands editing
 * profiles at once do not lose each other's change.
 */
export async function updateConfig<T>(dir: string, change: (config: Config) => T | Promise<T>): Promise<T> {
  const { withLock } = await import('../lock.js')
  return withLock(dir, 'config', async () => {
    const config = await loadConfig(dir)
    const result = await change(config)
    await saveConfig(dir, config)
    return result
  })
}
