import { z } from 'zod'
import { CliError, usageError } from '../errors.js'
import { writeFileAtomic } from '../fs/atomic-write.js'
import { assertConfigDir, readFileNoFollow } from '../fs/config-folder.js'
import { KnownProfileSchema } from '../vendors/registry.js'
import { parseJsonFile } from './json-file.js'
import { type Config, ConfigSchema, ProfileNameSchema } from './schema.js'
import { configFile } from './paths.js'
import { stampValidatedConfig } from './validated-stamp.cjs'

/** The config schema, with each profile's provider one the registry knows (the core schema cannot know vendors). */
const KnownConfigSchema = ConfigSchema.extend({ profiles: z.record(ProfileNameSchema, KnownProfileSchema).default({}) })

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
  const config = parseJsonFile(path, text, KnownConfigSchema, 'config_invalid')
  if (config.defaultProfile && !Object.hasOwn(config.profiles, config.defaultProfile)) {
    throw usageError(`${path}: defaultProfile: names a profile that does not exist (${config.defaultProfile})`, { code: 'config_invalid' })
  }
  await stampValidatedConfig(dir, text)
  return config
}

export async function saveConfig(dir: string, config: Config): Promise<void> {
  const text = `${JSON.stringify(KnownConfigSchema.parse(config), null, 2)}\n`
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
