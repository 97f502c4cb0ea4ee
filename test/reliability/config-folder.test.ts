import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, chown, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fastTokenGet } from '../../src/boot/fast-token-get.cjs'
import { CliError } from '../../src/lib/errors.js'
import { assertConfigDir } from '../../src/lib/fs/config-folder.js'
import { BIN, type Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { seedToken } from '../helpers/stored-token.js'
import { type FaultServer, tokenResponse, useFaultServer } from './fault-server.js'
import { clientSecretEntry, expectOneErrorLine, writeProfiles, writeSecrets } from './profile-files.js'

/**
 * Issue 14 rows 7 and 8: the config folder is used only when it is the user's own (like ssh), no
 * symbolic link in it is followed, and no copy of a removed secret outlives `logout` or `profiles
 * remove` (temp files of writers killed mid-write included).
 */
const WRITER = resolve(import.meta.dirname, 'file-store-writer.mjs')
const SECRET = 'client-secret-that-must-vanish-7f3a'
const ACCESS = 'access-token-that-must-vanish-19c2'
let fault: FaultServer
let t: Sandboxed

useFaultServer((f) => (fault = f))
useIsolated((i) => (t = i), { OAUTHCTL_TIMEOUT: '2' })
beforeEach(async () => {
  fault.route('/token', tokenResponse())
  await writeProfiles(t.configDir, { p: { endpoints: { token: fault.url('/token') }, clientId: 'folder-test-client' } })
  await writeSecrets(t.configDir, clientSecretEntry('p', SECRET))
})
afterEach(() => {
  vi.restoreAllMocks()
})

/** Every file under the folder, with its bytes: where a copy of a secret would be. */
async function folderText(dir: string): Promise<string> {
  let text = ''
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += `${entry.name}\n${await readFile(join(entry.parentPath, entry.name), 'utf8')}\n`
  }
  return text
}

describe('a config folder others can write', () => {
  it.each(['775', '777', '757', '720', '702'])('mode %s: refused with exit 6 by every command; the fast path declines and the full command reports it', async (octal) => {
    const mode = Number.parseInt(octal, 8)
    expect((await t.run(['token', 'get'])).code).toBe(0) // a cached token, and a validated config
    await chmod(t.configDir, mode)
    try {
      expect(await fastTokenGet(['token', 'get'], t.env)).toBe(false)
      for (const args of [['token', 'get'], ['profiles', 'list'], ['status']]) {
        const result = await t.run(args)
        expect(result.code, args.join(' ')).toBe(6)
        expect(result.stdout).toBe('')
        expectOneErrorLine(result.stderr, new RegExp(`^error: the config folder ${t.configDir} can be written by (its group|every user) \\(mode ${mode.toString(8)}\\): refusing to use it$`))
        expect(result.stderr).toMatch(new RegExp(`^hint: make it yours alone: chmod 700 ${t.configDir}$`, 'm'))
      }
    } finally {
      await chmod(t.configDir, 0o700)
    }
  })

  it('owned by another user: refused (exit 6)', async () => {
    const owner = /^the config folder .* belongs to another user \(uid \d+\): refusing to use it$/
    if (process.getuid?.() === 0) {
      // As root, really give it away (root-owned folders are accepted, as ssh does).
      await chown(t.configDir, 4242, 4242)
      const result = await t.run(['profiles', 'list'])
      expect(result.code).toBe(6)
      expectOneErrorLine(result.stderr, new RegExp(`^error: ${owner.source.slice(1, -1)}`))
      expect(await fastTokenGet(['token', 'get'], t.env)).toBe(false)
    } else {
      vi.spyOn(process as { getuid(): number }, 'getuid').mockReturnValue(4242)
    }
    expect(() => assertConfigDir(t.configDir)).toThrow(CliError)
    expect(() => assertConfigDir(t.configDir)).toThrow(owner)
  })

  it('a folder oauthctl creates is 0700, whatever the umask', async () => {
    await rm(t.configDir, { recursive: true })
    const result = spawnSync('bash', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, BIN, 'profiles', 'add', 'p', '--token-endpoint', fault.url('/token'), '--client-id', 'c'], { env: t.env, encoding: 'utf8', timeout: 20_000 })
    expect(result.status, result.stderr).toBe(0)
    expect((await stat(t.configDir)).mode & 0o777).toBe(0o700)
  })
})

describe('symbolic links planted in the config folder are not followed', () => {
  const outside = () => join(t.home, 'outside-target')

  it('.config.validated: its target is not overwritten', async () => {
    await writeFile(outside(), 'precious\n')
    await symlink(outside(), join(t.configDir, '.config.validated'))
    expect((await t.run(['profiles', 'list'])).code).toBe(0)
    expect(await readFile(outside(), 'utf8')).toBe('precious\n')
  })

  it('a lock target: no file is created where it points; exit 6 naming it', async () => {
    await mkdir(join(t.configDir, 'locks'), { recursive: true, mode: 0o700 })
    const target = join(t.configDir, 'locks', 'credentials.lock-target')
    await symlink(outside(), target)
    const result = await t.run(['token', 'get'])
    expect(result.code).toBe(6)
    expectOneErrorLine(result.stderr, new RegExp(`^error: ${target} is a symbolic link: oauthctl follows no links in its config folder$`))
    expect(existsSync(outside())).toBe(false)
  })

  it.each(['config.json', 'credentials.json'])('%s: refused with exit 6, the linked file is not read', async (name) => {
    const path = join(t.configDir, name)
    await writeFile(outside(), await readFile(path))
    await rm(path)
    await symlink(outside(), path)
    const result = await t.run(['token', 'get'])
    expect(result.code).toBe(6)
    expectOneErrorLine(result.stderr, new RegExp(`^error: ${path} is a symbolic link: oauthctl follows no links in its config folder$`))
    expect(await fastTokenGet(['token', 'get'], t.env)).toBe(false)
  })
})

describe('no copy of a removed secret survives (a writer SIGKILLed mid-write left temp files)', () => {
  const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())))

  /** Kill file-store writers mid-write until one leaves a temp file holding `secret` (it copies every secret in the file). */
  async function leaveTempFile(secret: string): Promise<void> {
    for (let round = 0; round < 50; round++) {
      const child = spawn(process.execPath, [WRITER, t.configDir, 'loop', 'big'], { stdio: ['ignore', 'pipe', 'pipe'] })
      try {
        await new Promise<void>((resolveWait, reject) => {
          const timer = setTimeout(() => reject(new Error('the writer wrote nothing within 10 s')), 10_000)
          child.stdout?.once('data', () => {
            clearTimeout(timer)
            resolveWait()
          })
        })
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 250)))
      } finally {
        child.kill('SIGKILL')
        await exited(child)
      }
      // A lock the killed writer held would go stale in 10 s; remove it, as the error's hint says.
      await rm(join(t.configDir, 'locks', 'credentials.lock-target.lock'), { recursive: true, force: true })
      for (const temp of (await readdir(t.configDir)).filter((f) => f.endsWith('.tmp'))) {
        if ((await readFile(join(t.configDir, temp), 'utf8')).includes(secret)) return
      }
    }
    throw new Error('no writer was killed mid-write in 50 rounds')
  }

  it.each([
    ['logout', ['logout', '--no-revoke'], [ACCESS]],
    ['profiles remove', ['profiles', 'remove', 'p'], [ACCESS, SECRET]],
  ])('%s', async (_name, args, gone) => {
    await seedToken(t.configDir, 'p', { access_token: ACCESS, expires_at: Math.floor(Date.now() / 1000) + 3600 })
    await leaveTempFile(ACCESS)
    const result = await t.run(args)
    expect(result.code, result.stderr).toBe(0)
    expect((await readdir(t.configDir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
    const left = await folderText(t.configDir)
    for (const secret of gone) expect(left).not.toContain(secret)
  }, 120_000)
})
