import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import { BIN, type Sandboxed } from '../helpers/cli.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'
import { dynamic, type FaultServer, json, tokenResponse, useFaultServer } from '../reliability/fault-server.js'

/**
 * Prompts on a real terminal (tmux): what a user sees on screen, and what `$(…)` or `> file`
 * captures. Each test gets its own tmux server (its own socket), killed after it.
 */
const run = promisify(execFile)
const WAIT_MS = 15_000

let sandbox: Sandbox
let fault: FaultServer
let t: Sandboxed
let socket: string

useSandbox((s) => (sandbox = s))
useFaultServer((f) => (fault = f))
useIsolated((i) => (t = i))

const tmux = async (...args: string[]) => (await run('tmux', ['-L', socket, ...args], { timeout: 5_000 })).stdout
const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200')
const type = (text: string) => tmux('send-keys', '-l', text)
const enter = () => tmux('send-keys', 'Enter')

/** Wait (bounded) until the screen matches. */
async function waitForScreen(pattern: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + WAIT_MS
  for (;;) {
    const text = await screen()
    const match = pattern.exec(text)
    if (match) return match
    if (Date.now() > deadline) throw new Error(`screen never showed ${pattern}; it shows:\n${text}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const shellQuote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`

beforeEach(async () => {
  socket = `oauthctl-prompts-${process.pid}-${Date.now()}`
  // A plain shell on a 200-column terminal, in the test's isolated HOME, with no CI variable: prompts are allowed.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: t.home, OAUTHCTL_CONFIG_DIR: t.configDir, OAUTHCTL_STORAGE: 'file', NO_COLOR: '1', TERM: 'xterm', PS1: '$ ' }
  const command = `env -i ${Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')} bash --norc --noprofile`
  await tmux('new-session', '-d', '-x', '200', '-y', '50', '-c', t.home, command)
})

/** Kill the tmux server and wait (bounded) until the shell in it is gone, before the isolated HOME is removed. */
afterEach(async () => {
  const pid = Number(await tmux('display-message', '-p', '#{pane_pid}').catch(() => ''))
  await tmux('kill-server').catch(() => undefined)
  const deadline = Date.now() + 5_000
  while (pid && Date.now() < deadline && alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50))
})

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const oauthctl = `${shellQuote(process.execPath)} ${shellQuote(BIN)}`

describe('prompts are drawn on the terminal (stderr), never into stdout', () => {
  it('T=$(oauthctl token get --grant password …): the prompt is on screen and $T holds only the token', async () => {
    const PASSWORD = 'typed-pass-Q7'
    const TOKEN = 'tok-from-password-grant'
    fault.route(
      '/token',
      dynamic((_req, ctx) => {
        const form = new URLSearchParams(ctx.body)
        return form.get('grant_type') === 'password' && form.get('username') === 'ana' && form.get('password') === PASSWORD
          ? tokenResponse({ access_token: TOKEN })
          : json(400, { error: 'invalid_grant' })
      }),
    )
    expect((await t.run(['profiles', 'add', 'pw', '--token-endpoint', fault.url('/token'), '--client-id', 'pw-client', '--auth-method', 'none'])).code).toBe(0)

    await type(`T=$(${oauthctl} token get -p pw --grant password --username ana); printf 'EXIT[%s] GOT[%s]\\n' "$?" "$T"`)
    await enter()
    await waitForScreen(/Password for ana/)
    await type(PASSWORD)
    await enter()
    const [, code, captured] = await waitForScreen(/EXIT\[(\d+)\] GOT\[([^\]]*)\]/)
    expect(code).toBe('0')
    expect(captured).toBe(TOKEN)
    expect(await screen()).not.toContain(PASSWORD)
  })

  it('profiles add … --json > out.json with a confidential client asks at a hidden prompt and leaves valid JSON', async () => {
    const SECRET = 'demo-confidential-secret'
    await type(`${oauthctl} profiles add w --issuer ${sandbox.issuer} --client-id demo-confidential --auth-method client_secret_basic --json > out.json; echo "EXIT[$?]"`)
    await enter()
    await waitForScreen(/Client secret for w/)
    await type(SECRET)
    await enter()
    expect((await waitForScreen(/EXIT\[(\d+)\]/))[1]).toBe('0')
    expect(await screen()).not.toContain(SECRET)

    const written = await readFile(join(t.home, 'out.json'), 'utf8')
    expect(JSON.parse(written)).toMatchObject({ name: 'w', created: true, secretStored: true })
    expect(written).not.toContain(SECRET)
    // The secret typed at the prompt is the one the next command uses.
    const got = await t.run(['token', 'get', '-p', 'w'])
    expect(got.code, got.stderr).toBe(0)
    expect(got.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
  })
})

describe('profiles add with a confidential client and no terminal', () => {
  it('stores no secret, and a warning says how to store it', async () => {
    const added = await t.run(['profiles', 'add', 'w', '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--auth-method', 'client_secret_basic'])
    expect(added.code, added.stderr).toBe(0)
    expect(added.stdout).not.toContain('client secret stored')
    expect(added.stderr).toContain('warning: no client secret stored for w: pipe it in with printf %s "$SECRET" | oauthctl profiles add w --client-secret-stdin')
  })
})
