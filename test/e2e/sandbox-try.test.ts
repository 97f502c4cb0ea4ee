import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import { DEFAULT_SANDBOX_PORT } from '../../src/lib/sandbox/try-lines.js'
import { BROWSER_TIMEOUT_MS, launchChromium, loopbackPage, sandboxConsent, sandboxSignIn, skipBrowserTests, waitForHeading } from '../helpers/browser.js'
import { BIN, type CliResult, isolated, runProcess, type Sandboxed } from '../helpers/cli.js'
import { startCli } from '../helpers/cli-stream.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'

/**
 * `oauthctl sandbox` prints lines to try; a newcomer pastes them into a shell. This runs every one
 * of them exactly as printed, in bash, with `oauthctl` on the PATH and a BROWSER that hands the
 * login URL to Chromium, and checks what each one should achieve.
 */
const LINE_TIMEOUT_MS = 30_000

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

/** A shell as the user has it: `oauthctl` on the PATH, BROWSER recording the URL it is given. */
async function userShell(t: Sandboxed) {
  const bin = join(t.home, 'bin')
  await mkdir(bin)
  const urlFile = join(t.home, 'browser-url')
  await writeFile(join(bin, 'oauthctl'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
  await writeFile(join(bin, 'browser'), `#!/bin/sh\nprintf %s "$1" > "${urlFile}"\n`)
  await chmod(join(bin, 'oauthctl'), 0o755)
  await chmod(join(bin, 'browser'), 0o755)
  const env = { ...t.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, BROWSER: join(bin, 'browser') }
  /** Run one line in bash (bounded); `alongside` acts meanwhile (the browser), and must succeed too. */
  const run = async (line: string, alongside?: () => Promise<void>) => {
    const [result] = await Promise.all([runProcess('bash', ['--noprofile', '--norc', '-c', line], { env, timeoutMs: LINE_TIMEOUT_MS }), alongside?.()])
    return result
  }

  /** The URL the login handed to "the browser", waited for (bounded). */
  const browserUrl = async () => {
    const deadline = Date.now() + BROWSER_TIMEOUT_MS
    for (;;) {
      const url = await readFile(urlFile, 'utf8').catch(() => '')
      if (url) return url
      if (Date.now() > deadline) throw new Error('the login never opened a browser')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return { run, browserUrl }
}

describe.skipIf(skipBrowserTests)('every line `oauthctl sandbox` says to try works as printed', () => {
  let browser: Browser
  let t: Sandboxed
  let sandbox: ReturnType<typeof startCli> | undefined
  let shell: Awaited<ReturnType<typeof userShell>>

  beforeAll(async () => {
    browser = await launchChromium()
    t = await isolated()
    shell = await userShell(t)
  })

  afterAll(async () => {
    sandbox?.signal('SIGTERM')
    await sandbox?.done.catch(() => undefined)
    await browser?.close()
    await t?.cleanup()
  })

  it('runs them in order: profiles, a browser login, inspect, verify, introspect, revoke', async () => {
    sandbox = startCli(['sandbox', '--port', String(await freePort())], t.env, { timeoutMs: 120_000 })
    await sandbox.waitForStderr(/serving until Ctrl-C/)
    const issuer = /^issuer: (\S+)$/m.exec(sandbox.stdout())?.[1] ?? ''
    const lines = [...sandbox.stdout().matchAll(/^try: (.+)$/gm)].map((m) => m[1] ?? '')
    expect(lines.length).toBeGreaterThanOrEqual(7)

    /** What each printed line must achieve; a line with no expectation here fails the test. */
    const outcomes: [RegExp, (r: CliResult) => void | Promise<void>, (() => Promise<void>)?][] = [
      [/^oauthctl profiles add sandbox --issuer/, (r) => expect(r.stdout).toContain('added profile sandbox')],
      [
        /^oauthctl login -p sandbox$/,
        (r) => expect(r.stderr).toMatch(/logged in/i),
        async () => {
          const { context, page } = await loopbackPage(browser)
          try {
            await page.goto(await shell.browserUrl())
            await sandboxSignIn(page, 'demo')
            await sandboxConsent(page)
            await waitForHeading(page, 'Logged in')
          } finally {
            await context.close()
          }
        },
      ],
      [/^oauthctl token inspect -p sandbox$/, (r) => expect(r.stdout).toMatch(/"sub": "demo"[\s\S]*"scope": "[^"]*api:read/)],
      [/^printf %s \S+ \| oauthctl profiles add sandbox-ci /, (r) => expect(r.stdout).toContain('client secret stored')],
      [/^oauthctl token get -p sandbox-ci \| oauthctl token inspect -p sandbox-ci - --verify --audience /, (r) => expect(r.stdout).toContain('verified: signature, iss, exp, nbf, aud')],
      [/^oauthctl token inspect -p sandbox-ci --introspect$/, (r) => expect(r.stdout).toMatch(/introspection: \{\s*"active": true/)],
      [
        /^oauthctl token revoke -p sandbox-ci$/,
        async (r) => {
          expect(r.stdout).toContain('revoked')
          // The revoked token is no longer active at the sandbox.
          expect(revokedToken).toMatch(/^ey/)
          const after = await shell.run(`printf %s '${revokedToken}' | oauthctl token inspect -p sandbox-ci - --introspect`)
          expect(after.code, after.stderr).toBe(0)
          expect(after.stdout).toMatch(/introspection: \{\s*"active": false/)
        },
      ],
    ]
    let revokedToken = ''
    for (const line of lines) {
      expect(line.startsWith('oauthctl ') || line.startsWith('printf '), line).toBe(true)
      expect(line).not.toMatch(/PORT|NAME|\.\.\./) // printed to be pasted: nothing left to fill in
      const outcome = outcomes.find(([pattern]) => pattern.test(line))
      expect(outcome, `no expectation for the printed line: ${line}`).toBeDefined()
      if (/token revoke/.test(line)) revokedToken = (await shell.run('oauthctl token get -p sandbox-ci')).stdout.trim()
      const result = await shell.run(line, outcome?.[2])
      expect(result.code, `${line}\n${result.stderr}`).toBe(0)
      await outcome?.[1](result)
    }
    expect(lines.join('\n')).toContain(issuer)
  }, 150_000) // a dozen CLI runs and a browser login, on a shared 2-core machine
})

describe('sandbox --port', () => {
  let t: Sandboxed
  let blocker: Server | undefined

  beforeAll(async () => {
    t = await isolated()
  })

  afterAll(async () => {
    await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)))
    await t?.cleanup()
  })

  it(`defaults to ${DEFAULT_SANDBOX_PORT}, and a port in use is exit 2 with a hint, not a random port`, async () => {
    // Hold the default port (or find it held already): the sandbox must say so rather than move elsewhere.
    blocker = await new Promise<Server | undefined>((resolve) => {
      const server = createServer()
      server.once('error', () => resolve(undefined))
      server.listen(DEFAULT_SANDBOX_PORT, '127.0.0.1', () => resolve(server))
    })
    const result = await t.run(['sandbox'], { timeoutMs: 20_000 })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(`error: port ${DEFAULT_SANDBOX_PORT} on 127.0.0.1 is already in use`)
    expect(result.stderr).toMatch(/^hint: .*oauthctl sandbox --port N \(0 for any free port\)/m)
    expect(result.stdout).toBe('')

    const help = await t.run(['sandbox', '--help'])
    expect(help.stdout).toContain(`default ${DEFAULT_SANDBOX_PORT}`)
  })
})

describe('token inspect --verify against the sandbox', () => {
  let sandbox: Sandbox
  let t: Sandboxed
  useSandbox((s) => (sandbox = s))
  useIsolated((i) => (t = i))

  it('a wrong --audience names the audience expected and the one the token has (exit 4)', async () => {
    const added = await t.run(['profiles', 'add', 'ci', '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin'], { stdin: 'demo-confidential-secret' })
    expect(added.code, added.stderr).toBe(0)
    const token = (await t.run(['token', 'get'])).stdout.trim()
    const wrong = await t.run(['token', 'inspect', '-', '--verify', '--audience', 'api'], { stdin: token })
    expect(wrong.code).toBe(4)
    expect(wrong.stderr).toContain(`error: verification failed: aud: expected "api", the token has "${sandbox.resource}"`)
    const right = await t.run(['token', 'inspect', '-', '--verify', '--audience', sandbox.resource], { stdin: token })
    expect(right.code, right.stderr).toBe(0)
    expect(right.stdout).toContain('verified: signature, iss, exp, nbf, aud')
  })
})
