import { promises as fs, readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * A copy of the last config text that passed validation, kept beside it. The fast path of
 * `token get` (no zod loaded) trusts config.json only when its text is exactly that, so it never
 * acts on a config the full command would reject. A plain comparison: no crypto to load.
 */
const stampFile = (dir: string) => join(dir, '.config.validated')

export function isValidatedConfig(dir: string, text: string): boolean {
  try {
    return readFileSync(stampFile(dir), 'utf8') === text
  } catch {
    return false // no stamp yet: the full command validates and writes it
  }
}

export async function stampValidatedConfig(dir: string, text: string): Promise<void> {
  if (isValidatedConfig(dir, text)) return
  // A missed stamp only costs the next call the fast path; it never changes a result.
  // fs.promises on use: loading node:fs/promises costs the cached path ~1 ms.
  await fs.writeFile(stampFile(dir), text, { mode: 0o600 }).catch(() => undefined)
}
