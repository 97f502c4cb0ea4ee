import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Write a file so that readers see either the old or the new content, never a torn mix:
 * write a temp file beside it, fsync, rename over the target, fsync the folder.
 * The folder is created 0700 when missing; the file gets `mode` (0600 by default). Temp files
 * that writers killed mid-write left behind (copies of old secrets) are removed first.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await removeStaleTemps(dir)
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', mode)
  try {
    await handle.writeFile(data)
    await handle.chmod(mode) // umask may have narrowed or widened what open() set
    await handle.sync()
  } catch (err) {
    await handle.close()
    await rm(temp, { force: true })
    throw err
  }
  await handle.close()
  try {
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  await syncDir(dir)
}

/** Our temp files (`.NAME.<pid>.<hex>.tmp`) of processes that no longer exist; a live writer's, ours included, is left alone. */
async function removeStaleTemps(dir: string): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [])) {
    const pid = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/.exec(entry)?.[1]
    if (pid && !isAlive(Number(pid))) await rm(join(dir, entry), { force: true })
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' // exists, another user's
  }
}

async function syncDir(dir: string): Promise<void> {
  // Durability of the rename; not supported on every platform (Windows), where it is skipped.
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // best effort by design: the rename itself already gave atomicity
  }
}
