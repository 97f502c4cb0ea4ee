import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoClients, type Sandbox, startSandbox } from '../../src/lib/sandbox/server.js'
import { isolated, type Sandboxed } from '../helpers/cli.js'
import { startCli } from '../helpers/cli-stream.js'
import { seedToken } from '../helpers/stored-token.js'
import { type FaultServer, json, startFaultServer, tokenResponse } from './fault-server.js'
import { LeakLog } from './leak-check.js'
import { issueRefreshToken } from '../helpers/sandbox-grants.js'

/**
 * Every command, run with --json and with -v against real servers (the sandbox for the standard
 * flows and RFC 7591/7592, the fault server for the password grant and private_key_jwt), with known
 * secrets planted: client secrets, a password in OAUTHCTL_PASSWORD, access/refresh/ID tokens, a
 * registration access token, a private key file. None may appear on stderr, nor on stdout except
 * where the command exists to print it. The Genesys-only commands run in secrets-genesys.test.ts.
 */
const CLIENT_SECRET = 'leak-client-secret-3f9a7c21e5d8'
const PW_CLIENT_SECRET = 'pw-client-secret-b04d61e9aa27'
const PASSWORD = 'planted-password-Zq81!x%20&+=42'
const PLANTED_ACCESS = 'planted-access-token-71c0d9e2a4b6'
const PLANTED_ID = `${Buffer.from('{"alg":"RS256","kid":"x"}').toString('base64url')}.${Buffer.from('{"sub":"planted-id-token"}').toString('base64url')}.c2lnbmF0dXJlLW9mLXRoZS1wbGFudGVkLWlkLXRva2Vu`
const FAULT_ACCESS = 'fault-issued-access-token-55d1e0'
const FAULT_REFRESH = 'fault-issued-refresh-token-93ab7f'
const MANIFEST = resolve(import.meta.dirname, '../../oclif.manifest.json')

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const PEM = key.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
const PEM_LINES = PEM.split('\n').filter((l) => l && !l.startsWith('-----'))
const PRIVATE_D = key.privateKey.export({ format: 'jwk' }).d as string

let sandbox: Sandbox
let fault: FaultServer
let t: Sandboxed
const log = new LeakLog()

beforeAll(async () => {
  sandbox = await startSandbox({
    clients: [
      ...demoClients(),
      {
        client_id: 'leak-client',
        client_secret: CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
        application_type: 'native',
      },
    ],
  })
  fault = await startFaultServer()
  t = await isolated()
  for (const [label, value] of Object.entries({ CLIENT_SECRET, PW_CLIENT_SECRET, PASSWORD, PLANTED_ACCESS, PLANTED_ID, FAULT_ACCESS, FAULT_REFRESH, PRIVATE_D })) log.plant(`planted: ${label}`, value)
  log.plant('planted: PASSWORD form-encoded', new URLSearchParams({ p: PASSWORD }).toString().slice(2))
  PEM_LINES.forEach((line, i) => log.plant(`planted: private key PEM line ${i + 1}`, line))
})
afterAll(async () => {
  await t?.cleanup()
  await fault?.close()
  await sandbox?.close()
})

describe('secrets never leak', () => {
  it('through any command, with --json or -v', async () => {
    const pem = join(t.home, 'client-key.pem')
    await writeFile(pem, PEM, { mode: 0o600 })
    fault.route('/token', tokenResponse({ access_token: FAULT_ACCESS, refresh_token: FAULT_REFRESH }))

    // Profiles: secrets go in by stdin only.
    await log.step(t, { args: ['profiles', 'add', 's', '--issuer', sandbox.issuer, '--client-id', 'leak-client', '--client-secret-stdin', '--scope', 'openid', '--scope', 'offline_access'], stdin: CLIENT_SECRET, exit: 0 })
    await log.step(t, { args: ['profiles', 'add', 'p', '--token-endpoint', fault.url('/token'), '--client-id', 'pw-client', '--client-secret-stdin'], stdin: PW_CLIENT_SECRET, exit: 0 })
    await log.step(t, { args: ['profiles', 'add', 'pk', '--token-endpoint', fault.url('/token'), '--client-id', 'pk-client', '--auth-method', 'private_key_jwt', '--private-key', pem], exit: 0 })
    await log.step(t, { args: ['profiles', 'use', 's'], exit: 0, once: true })
    await log.step(t, { args: ['profiles', 'list'], exit: 0 })
    await log.step(t, { args: ['profiles', 'show', 's'], exit: 0 })

    // Tokens as a login would have left them: a fresh opaque access token, a real refresh token, an ID token.
    const refresh = await issueRefreshToken(sandbox, { clientId: 'leak-client' })
    log.plant('planted: sandbox refresh token', refresh)
    await seedToken(t.configDir, 's', { access_token: PLANTED_ACCESS, refresh_token: refresh, id_token: PLANTED_ID, expires_at: Math.floor(Date.now() / 1000) + 3600 }, ['openid', 'offline_access'])
    await log.harvest(t.configDir)

    await log.step(t, { args: ['status'], exit: 0 })
    // The planted access token is not one the sandbox issued: introspection says inactive (exit 3), the token sent and traced redacted.
    await log.step(t, { args: ['status', '--check'], exit: 3 })
    await log.step(t, { args: ['doctor'], exit: 0, once: true })
    await log.step(t, { args: ['token', 'get'], exit: 0, printsTokensOf: 's' })
    await log.step(t, { args: ['token', 'get', '-p', 'p', '--grant', 'password', '--username', 'alice', '--force'], env: { OAUTHCTL_PASSWORD: PASSWORD }, exit: 0, printsTokensOf: 'p' })
    await log.step(t, { args: ['token', 'get', '-p', 'pk', '--force'], exit: 0, printsTokensOf: 'pk' })
    await log.step(t, { args: ['token', 'inspect'], exit: 0 })
    await log.step(t, { args: ['token', 'inspect', '--introspect'], exit: 0 })
    await log.step(t, { args: ['token', 'refresh'], exit: 0 })
    await log.step(t, { args: ['exec', '--', process.execPath, '-e', 'process.exit(0)'], exit: 0, once: true })
    await log.step(t, { args: ['token', 'revoke'], exit: 0, once: true })
    await log.step(t, { args: ['login', '--no-open', '--timeout', '1'], exit: 3, once: true })

    // A hostile token endpoint that echoes the password and the client secret back in its error.
    fault.route('/token', json(400, { error: 'invalid_grant', error_description: `password ${PASSWORD} for alice is wrong (client secret ${PW_CLIENT_SECRET})` }))
    await log.step(t, { args: ['token', 'get', '-p', 'p', '--grant', 'password', '--username', 'alice', '--force'], env: { OAUTHCTL_PASSWORD: PASSWORD }, exit: 4 })
    await log.step(t, { args: ['token', 'get', '-p', 'p', '--grant', 'password', '--username', 'alice', '--password-stdin', '--force'], stdin: PASSWORD, exit: 4 })

    // RFC 7591/7592 administration at the sandbox: the registration access token is kept, never shown.
    const [created] = await log.step(t, { args: ['clients', 'create', '--name', 'leak-check', '--grant-type', 'client_credentials'], exit: 0 })
    const id = (JSON.parse(created.stdout) as { client: { id: string } }).client.id
    expect([...log.secrets.values()].flat().some((label) => label.startsWith('profile/s/registration#'))).toBe(true)
    // The sandbox's client ids are base64url and may start with "-": after --, they are arguments.
    await log.step(t, { args: ['clients', 'get', '--', id], exit: 0 })
    await log.step(t, { args: ['clients', 'update', '--name', 'leak-check-renamed', '--', id], exit: 0 })
    await log.step(t, { args: ['clients', 'rotate-secret', '--yes', '--', id], exit: 2, once: true }) // the sandbox keeps the secret on update: said, exit 2
    await log.step(t, { args: ['clients', 'list'], exit: 2, once: true })
    await log.step(t, { args: ['clients', 'usage', '--', id], exit: 2, once: true })
    await log.step(t, { args: ['scopes', 'list'], exit: 2, once: true })
    await log.step(t, { args: ['authorizations', 'list'], exit: 2, once: true })
    await log.step(t, { args: ['clients', 'delete', '--yes', '--', id], exit: 0, once: true })

    await log.step(t, { args: ['logout'], exit: 0, once: true })
    await log.step(t, { args: ['sandbox', '--demo'], exit: 0 })
    await log.step(t, { args: ['profiles', 'remove', 'pk'], exit: 0, once: true })

    // `sandbox` serving until Ctrl-C, and shell completion (its script, and a TAB on -p).
    const serving = startCli(['sandbox', '-v'], t.env, { timeoutMs: 15_000 })
    try {
      await serving.waitForStderr(/serving until Ctrl-C/)
    } finally {
      serving.signal('SIGINT')
    }
    log.record('sandbox -v (serving)', await serving.done)
    log.record('completion bash', await t.run(['completion', 'bash']))
    log.record('__complete', await t.run(['__complete', '--', 'token', 'get', '-p', '']))

    expect(log.exitMismatches).toEqual([])
    expect(log.leaks()).toEqual([])
    // The check looked for what it should: tokens oauthctl obtained during the run, not only the planted ones.
    const labels = [...log.secrets.values()].flat()
    expect(labels.filter((l) => l.startsWith('profile/s/token/')).length).toBeGreaterThanOrEqual(3)
    expect(labels.filter((l) => l.startsWith('profile/p/token/')).length).toBeGreaterThanOrEqual(2)
    // And the check can fail: token get printed the stored access token, which is in the set.
    expect(log.runs.find((r) => r.label === 'token get -v')?.stdout).toBe(`${PLANTED_ACCESS}\n`)
  }, 150_000)

  it('every --json run printed exactly one JSON document (stdout on success, stderr on failure)', () => {
    expect(log.runs.filter((r) => r.json).length).toBeGreaterThan(25)
    // exec's stdout is the child's (SPEC: "the child's exit code is passed through"): no document of its own.
    expect(log.jsonContractViolations().filter((v) => !v.startsWith('exec -- /'))).toEqual([])
  })

  it('the private key file content and the password are never stored in config.json', async () => {
    const config = await readFile(join(t.configDir, 'config.json'), 'utf8')
    for (const value of [...PEM_LINES, PRIVATE_D, PASSWORD, CLIENT_SECRET, PW_CLIENT_SECRET]) expect(config).not.toContain(value)
  })

  it('credentials.json and config.json are 0600, the config folder 0700, and nothing in it is readable by others', async () => {
    expect((await stat(t.configDir)).mode & 0o777).toBe(0o700)
    expect((await stat(join(t.configDir, 'config.json'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(t.configDir, 'credentials.json'))).mode & 0o777).toBe(0o600)
    const open: string[] = []
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        const mode = (await stat(path)).mode & 0o777
        if (entry.isDirectory()) {
          // proper-lockfile's lock folders exist only while a lock is held, and are empty.
          if (!entry.name.endsWith('.lock') && mode & 0o077) open.push(`${path} ${mode.toString(8)}`)
          await walk(path)
        } else if (mode & 0o077) open.push(`${path} ${mode.toString(8)}`)
      }
    }
    await walk(t.configDir)
    expect(open).toEqual([])
  })
})

describe('no flag takes a secret as its value (oclif manifest)', () => {
  interface ManifestFlag {
    name: string
    type: 'boolean' | 'option'
    summary?: string
  }
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { commands: Record<string, { flags: Record<string, ManifestFlag> }> }
  const SECRETISH = /secret|password|passwd|token|assertion|credential|private|api-?key/i
  /** Flags whose names look secret but whose values are not secrets, and what they are. */
  const NOT_SECRETS: Record<string, string> = {
    'token-endpoint': 'a URL',
    'subject-token-type': 'a token type URN',
    'actor-token-type': 'a token type URN',
    'requested-token-type': 'a token type URN',
    'token-ttl': 'seconds',
    'private-key': 'a file path',
    'assertion-file': 'a file path',
    'id-token': 'a switch (takes no value): the ID token rather than the access token',
  }
  /** Flags that take a secret by where it is: `-` (stdin), `@FILE` or `env:NAME`. */
  const SOURCES = ['subject-token', 'actor-token']

  const secretish = Object.entries(manifest.commands).flatMap(([id, c]) =>
    Object.values(c.flags)
      .filter((f) => SECRETISH.test(f.name))
      .map((f) => ({ command: id.replaceAll(':', ' '), ...f })),
  )

  it('the manifest lists the secret-bearing flags (the check below has something to check)', () => {
    expect(secretish.map((f) => f.name)).toEqual(expect.arrayContaining(['client-secret-stdin', 'password-stdin', 'subject-token', 'initial-access-token-stdin']))
  })

  it('every flag named like a secret is a boolean …-stdin, a source-taking flag, or a known non-secret', () => {
    const offenders = secretish.filter((f) => !(f.type === 'boolean' && f.name.endsWith('-stdin')) && !SOURCES.includes(f.name) && !(f.name in NOT_SECRETS))
    expect(offenders.map((f) => `${f.command} --${f.name} (${f.type})`)).toEqual([])
    for (const f of secretish.filter((f) => SOURCES.includes(f.name))) expect(f.summary, `${f.command} --${f.name}`).toMatch(/- for stdin, @FILE or env:NAME/)
  })

  it.each(SOURCES)('--%s refuses a literal value (exit 2) without echoing it', async (flag) => {
    const literal = `literal-secret-value-for-${flag}-0x5eed`
    const run = await t.run(['token', 'get', '-p', 'p', '--grant', 'token_exchange', '--subject-token', flag === 'subject-token' ? literal : '-', ...(flag === 'subject-token' ? [] : [`--${flag}`, literal])], { stdin: 'subject-from-stdin' })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(new RegExp(`^error: --${flag} takes - \\(stdin\\), @FILE or env:NAME, not the value itself`, 'm'))
    expect(run.stdout + run.stderr).not.toContain(literal)
  })
})
