import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import { type FakeGitServer, startGitServer } from '../fakes/git-http.js'
import { tokenChecker } from '../fakes/token-check.js'
import { BIN, type Sandboxed } from '../helpers/cli.js'
import { credentialEntries, editConfig, readConfig } from '../helpers/config-files.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'

const gitVersion = execFileSync('git', ['--version'], { encoding: 'utf8' }).trim()

let sandbox: Sandbox
let t: Sandboxed
let repos: string
let forge: FakeGitServer
let validToken: (token: string) => Promise<boolean>

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))
beforeAll(async () => {
  validToken = tokenChecker(sandbox.issuer, sandbox.resource)
  repos = mkdtempSync(join(tmpdir(), 'oauthctl-git-'))
  // A bare repository with one commit, made without any user or system git config.
  const work = join(repos, 'work')
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' }, stdio: 'pipe' })
  mkdirSync(work)
  git(work, 'init', '-q', '-b', 'main')
  writeFileSync(join(work, 'README'), 'hello from the fake forge\n')
  git(work, 'add', 'README')
  git(work, '-c', 'user.name=t', '-c', 'user.email=t@example.test', 'commit', '-q', '-m', 'first')
  git(repos, 'clone', '-q', '--bare', work, 'repo.git')
  forge = await startGitServer(repos, validToken)
})
afterAll(async () => {
  await forge?.close()
  rmSync(repos, { recursive: true, force: true })
})

/** Real git, with only our helper configured, never prompting, its config isolated from the machine's. */
function git(args: string[], options: { stdin?: string; helper?: boolean; cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const helper = options.helper === false ? [] : ['-c', `credential.helper=!"${process.execPath}" "${BIN}" git-credential`]
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      ['-c', 'credential.helper=', ...helper, ...args],
      { cwd: options.cwd ?? t.home, env: { ...t.env, GIT_CONFIG_GLOBAL: join(t.home, 'gitconfig'), GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', SSH_ASKPASS: '' }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
    child.stdin?.end(options.stdin ?? '')
  })
}

const addConfidential = (name: string) =>
  t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin'], { stdin: 'demo-confidential-secret' })

const fields = (text: string) => Object.fromEntries(text.trim().split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))

describe(`git credential helper (${gitVersion})`, () => {
  it('git credential fill gets username oauth2 and a valid access token for a configured host', async () => {
    expect((await addConfidential('forge')).code).toBe(0)
    const configured = await t.run(['git-credential', 'configure', forge.origin, '-p', 'forge'])
    expect(configured.code, configured.stderr).toBe(0)
    expect(configured.stderr).toContain(`hint: git config --global 'credential.${forge.origin}.helper'`)
    expect((await readConfig(t.configDir)).gitCredential).toEqual({ [forge.origin]: { profile: 'forge' } })

    const host = new URL(forge.origin).host
    const filled = await git(['credential', 'fill'], { stdin: `protocol=http\nhost=${host}\n\n` })
    expect(filled.code, filled.stderr).toBe(0)
    const answer = fields(filled.stdout)
    expect(answer).toMatchObject({ protocol: 'http', host, username: 'oauth2' })
    expect(await validToken(answer.password as string)).toBe(true)

    // The helper itself also says when the token expires (git 2.41+ keeps it as password_expiry_utc).
    const direct = await t.run(['git-credential', 'get'], { stdin: `protocol=http\nhost=${host}\npath=repo.git\n\n` })
    expect(direct.code, direct.stderr).toBe(0)
    expect(Object.keys(fields(direct.stdout))).toEqual(['username', 'password', 'password_expiry_utc'])
    const expiry = Number(fields(direct.stdout).password_expiry_utc)
    expect(expiry - Date.now() / 1000).toBeGreaterThan(300)
    expect(fields(direct.stdout).password).toBe(answer.password) // the cached token, not a new one
  })

  it('a host it does not know: nothing on stdout, exit 0, and git goes on without a credential', async () => {
    expect((await addConfidential('forge')).code).toBe(0)
    expect((await t.run(['git-credential', 'configure', 'git.example.test', '-p', 'forge'])).code).toBe(0)
    sandbox.resetCounts()
    const direct = await t.run(['git-credential', 'get'], { stdin: 'protocol=https\nhost=other.example.test\n\n' })
    expect(direct).toMatchObject({ code: 0, stdout: '' })
    // Same host, other scheme or port: not the configured remote either.
    for (const request of ['protocol=http\nhost=git.example.test\n\n', 'protocol=https\nhost=git.example.test:8443\n\n']) {
      expect(await t.run(['git-credential', 'get'], { stdin: request })).toMatchObject({ code: 0, stdout: '' })
    }
    const filled = await git(['credential', 'fill'], { stdin: 'protocol=https\nhost=other.example.test\n\n' })
    expect(filled.code).not.toBe(0)
    expect(filled.stdout).not.toContain('password=')
    expect(sandbox.requestCount('/token')).toBe(0)
  })

  it('a mapping with a path answers only for repositories under it, the longest mapping winning', async () => {
    expect((await addConfidential('forge')).code).toBe(0)
    expect((await addConfidential('team')).code).toBe(0)
    expect((await t.run(['git-credential', 'configure', 'git.example.test', '-p', 'forge'])).code).toBe(0)
    expect((await t.run(['git-credential', 'configure', 'https://git.example.test/team/', '-p', 'team', '--username', 'x-access-token'])).code).toBe(0)
    const get = async (path?: string) => fields((await t.run(['git-credential', 'get'], { stdin: `protocol=https\nhost=git.example.test\n${path ? `path=${path}\n` : ''}\n` })).stdout)
    expect((await get('team/app.git')).username).toBe('x-access-token')
    expect((await get('teamwork/app.git')).username).toBe('oauth2')
    expect((await get()).username).toBe('oauth2')
    // url= is the same request in one line.
    const byUrl = await t.run(['git-credential', 'get'], { stdin: 'url=https://git.example.test/team/app.git\n\n' })
    expect(fields(byUrl.stdout).username).toBe('x-access-token')
  })

  it('a failure is one error line on stderr and nothing on stdout (git then goes on): unknown profile, refused secret', async () => {
    expect((await addConfidential('forge')).code).toBe(0)
    expect((await t.run(['git-credential', 'configure', 'git.example.test', '-p', 'forge'])).code).toBe(0)
    const wrongSecret = await t.run(['profiles', 'add', 'forge', '--client-secret-stdin'], { stdin: 'not-the-secret' })
    expect(wrongSecret.code).toBe(0)
    const refused = await t.run(['git-credential', 'get'], { stdin: 'protocol=https\nhost=git.example.test\n\n' })
    expect(refused).toMatchObject({ code: 4, stdout: '' })
    expect(refused.stderr).toMatch(/^error: invalid_client/)
    expect(refused.stderr).not.toContain('not-the-secret')

    expect((await t.run(['profiles', 'remove', 'forge'])).code).toBe(0)
    const gone = await t.run(['git-credential', 'get'], { stdin: 'protocol=https\nhost=git.example.test\n\n' })
    expect(gone).toMatchObject({ code: 2, stdout: '' })
    expect(gone.stderr).toContain('error: no profile named forge')
  })

  it('store and erase are read and ignored: nothing printed, the cached token kept', async () => {
    expect((await addConfidential('forge')).code).toBe(0)
    expect((await t.run(['git-credential', 'configure', forge.origin, '-p', 'forge'])).code).toBe(0)
    const host = new URL(forge.origin).host
    const got = await t.run(['git-credential', 'get'], { stdin: `protocol=http\nhost=${host}\n\n` })
    const before = await credentialEntries(t.configDir)
    for (const op of ['store', 'erase']) {
      const result = await t.run(['git-credential', op], { stdin: `protocol=http\nhost=${host}\nusername=oauth2\n${got.stdout.split('\n')[1]}\n\n` })
      expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' })
    }
    expect(await credentialEntries(t.configDir)).toEqual(before)
  })

  it('configure refuses plain http off loopback, unknown profiles and credentials in the URL; --remove removes', async () => {
    expect((await addConfidential('forge')).code).toBe(0)
    const http = await t.run(['git-credential', 'configure', 'http://git.example.test', '-p', 'forge'])
    expect(http.code).toBe(2)
    expect(http.stderr).toContain('refusing plain http for a git remote that gets tokens on git.example.test')
    const unknown = await t.run(['git-credential', 'configure', 'git.example.test', '-p', 'nope'])
    expect(unknown.code).toBe(2)
    const userinfo = await t.run(['git-credential', 'configure', 'https://me:pw@git.example.test', '-p', 'forge'])
    expect(userinfo.code).toBe(2)
    expect(userinfo.stderr).not.toContain('pw')
    expect((await t.run(['git-credential', 'configure', 'git.example.test', '-p', 'forge'])).code).toBe(0)
    const removed = await t.run(['git-credential', 'configure', 'git.example.test', '--remove', '--json'])
    expect(JSON.parse(removed.stdout)).toEqual({ url: 'https://git.example.test', removed: true })
    expect((await readConfig(t.configDir)).gitCredential).toBeUndefined()
  })

  it('a user name of more than one line is refused: by configure (exit 2), and in a hand-edited config (exit 2 naming the field)', async () => {
    expect((await addConfidential('forge')).code).toBe(0)
    const multiline = await t.run(['git-credential', 'configure', 'git.example.test', '-p', 'forge', '--username', 'oauth2\npassword=stolen'])
    expect(multiline.code).toBe(2)
    expect(multiline.stderr).toMatch(/^error: --username must be one line of text$/m)
    expect((await readConfig(t.configDir)).gitCredential).toBeUndefined()
    await editConfig(t.configDir, (config) => {
      config.gitCredential = { 'https://git.example.test': { profile: 'forge', username: 'oauth2\npassword=stolen' } }
    })
    const answered = await t.run(['git-credential', 'get'], { stdin: 'protocol=https\nhost=git.example.test\n\n' })
    expect(answered.code).toBe(2)
    expect(answered.stdout).toBe('')
    expect(answered.stderr).toMatch(/gitCredential.*username/)
  })

  it('git clone over smart HTTP from a forge that demands the token: fails without the helper, works with it', async () => {
    expect((await addConfidential('forge')).code).toBe(0)
    expect((await t.run(['git-credential', 'configure', forge.origin, '-p', 'forge'])).code).toBe(0)
    const refused = await git(['clone', '-q', `${forge.origin}/repo.git`, 'refused'], { helper: false })
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/could not read Username|Authentication failed|terminal prompts disabled/)

    const presented = forge.passwords.length
    const cloned = await git(['clone', '-q', `${forge.origin}/repo.git`, 'cloned'])
    expect(cloned.code, cloned.stderr).toBe(0)
    expect(readFileSync(join(t.home, 'cloned', 'README'), 'utf8')).toBe('hello from the fake forge\n')
    const used = forge.passwords.slice(presented)
    expect(used.length).toBeGreaterThan(0)
    for (const password of used) expect(await validToken(password)).toBe(true)
  })
})
