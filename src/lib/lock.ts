import { constants } from 'node:fs'
import { lstat, mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import lockfile from 'proper-lockfile'
import { storageError } from './errors.js'
import { locksDir } from './config/paths.js'
import { assertConfigDir, refuseSymlink, symlinkRefused } from './fs/config-folder.js'
import { NO_FOLLOW } from './fs/safe-files.cjs'

export interface LockOptions {
  /** How long to wait for another process to release the lock before giving up. */
  waitMs?: number
  /** A lock not refreshed for this long belongs to a crashed process and is taken over. */
  staleMs?: number
}

/**
 * Run `fn` holding a cross-process lock named `name` in the config folder. Waiting is bounded;
 * a lock left by a killed process is recovered once it goes stale.
 */
export async function withLock<T>(dir: string, name: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const waitMs = options.waitMs ?? 30_000
  const staleMs = options.staleMs ?? 10_000
  const folder = locksDir(dir)
  assertConfigDir(dir)
  await mkdir(folder, { recursive: true, mode: 0o700 })
  // A link in place of the locks folder or a lock target would make us create files elsewhere.
  if (!(await lstat(folder)).isDirectory()) throw symlinkRefused(folder)
  const target = join(folder, `${name}.lock-target`)
  await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | NO_FOLLOW, 0o600).then(
    (handle) => handle.close(),
    (err: unknown) => {
      throw refuseSymlink(target, err)
    },
  )
  const interval = 50
  let release: () => Promise<void>
  try {
    release = await lockfile.lock(target, {
      stale: staleMs,
      update: Math.max(1000, staleMs / 2),
      realpath: false,
      onCompromised: (err) => warnCompromised(name, err),
      retries: { retries: Math.ceil(waitMs / interval), factor: 1, minTimeout: interval, maxTimeout: interval, randomize: true },
    })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw storageError(`another oauthctl process held the ${name} lock for over ${waitMs / 1000} s`, {
        code: 'lock_timeout',
        hint: `if no other oauthctl is running, remove ${target}.lock`,
      })
    }
    throw storageError(`cannot take the ${name} lock in ${folder}: ${(err as Error).message}`, { code: 'lock_failed' })
  }
  try {
    return await fn()
  } finally {
    await release().catch((err: unknown) => warnCompromised(name, err))
  }
}

/** Another process took the lock over as stale while we held it: say so, do not crash mid-write. */
function warnCompromised(name: string, err: unknown): void {
  process.stderr.write(`warning: the ${name} lock was taken over by another process (${(err as Error).message})\n`)
}
