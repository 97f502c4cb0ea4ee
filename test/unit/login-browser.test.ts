import type { BrowserPlan } from '../../src/lib/login/types.js'
import { NO_PROGRESS } from '../../src/lib/output/progress.js'
import { describe, expect, it, vi } from 'vitest'
import { browserPlan, planBrowser, presentLoopbackUrl } from '../../src/lib/login/browser.js'

const DISPLAY = { DISPLAY: ':0' }

// As is-wsl answers inside WSL: the one WSL detection there is.
vi.mock('is-wsl', () => ({ default: true }))

describe('planBrowser', () => {
  it.each([
    ['--no-open', true, DISPLAY, 'linux', false, { open: false, reason: 'no-open' }],
    ['a desktop', false, DISPLAY, 'linux', false, { open: true }],
    ['Wayland', false, { WAYLAND_DISPLAY: 'wayland-0' }, 'linux', false, { open: true }],
    ['macOS', false, {}, 'darwin', false, { open: true }],
    ['no display', false, {}, 'linux', false, { open: false, reason: 'no-display' }],
    ['SSH, with the server address', false, { ...DISPLAY, SSH_CONNECTION: '10.0.0.9 52000 10.0.0.5 22' }, 'linux', false, { open: false, reason: 'ssh', sshHost: '10.0.0.5' }],
    ['WSL', false, DISPLAY, 'linux', true, { open: false, reason: 'wsl' }],
    ['BROWSER set, even over SSH', false, { BROWSER: 'w3m', SSH_CONNECTION: '1 2 3 4' }, 'linux', false, { open: true }],
    ['--no-open over BROWSER', true, { BROWSER: 'firefox' }, 'linux', false, { open: false, reason: 'no-open' }],
  ] as const)('%s', (_name, noOpen, env, platform, wsl, plan) => {
    expect(planBrowser(noOpen, env, platform, wsl)).toEqual(plan)
  })

  it('a login asks is-wsl: no browser in WSL, even with a display', async () => {
    expect(await browserPlan(false, DISPLAY)).toEqual({ open: false, reason: 'wsl' })
    expect(await browserPlan(true, DISPLAY)).toEqual({ open: false, reason: 'no-open' })
  })
})

describe('presentLoopbackUrl', () => {
  async function present(plan: BrowserPlan, open: (url: string) => Promise<void> = async () => undefined, redirectUri = 'http://127.0.0.1:8765/callback') {
    const info: string[] = []
    const warn: string[] = []
    const ui = { info: (l: string) => info.push(l), warn: (l: string) => warn.push(l), progress: NO_PROGRESS }
    await presentLoopbackUrl('https://as.example.test/auth?x=1', redirectUri, { plan, open }, ui, { USER: 'alice' })
    return { info: info.join('\n'), warn }
  }

  it('over SSH prints the URL and the exact ssh -L line, or the device flow', async () => {
    const { info } = await present({ open: false, reason: 'ssh', sshHost: '10.0.0.5' })
    expect(info).toContain('\n  https://as.example.test/auth?x=1')
    expect(info).toMatch(/^ {2}ssh -L 8765:127\.0\.0\.1:8765 alice@10\.0\.0\.5$/m)
    expect(info).toContain('--flow device')
  })

  it('over SSH forwards to the address the listener has: [::1] for an IPv6 redirect, 127.0.0.1 for localhost', async () => {
    const ssh = { open: false, reason: 'ssh', sshHost: '10.0.0.5' } as const
    expect((await present(ssh, undefined, 'http://[::1]:9000/cb')).info).toMatch(/^ {2}ssh -L 9000:\[::1\]:9000 alice@10\.0\.0\.5$/m)
    expect((await present(ssh, undefined, 'http://localhost:9001/cb')).info).toMatch(/^ {2}ssh -L 9001:127\.0\.0\.1:9001 alice@10\.0\.0\.5$/m)
  })

  it('without a display suggests the device flow', async () => {
    const { info } = await present({ open: false, reason: 'no-display' })
    expect(info).toContain('no display')
    expect(info).toContain('--flow device')
    expect(info).not.toContain('ssh -L')
  })

  it('with --no-open prints the URL only', async () => {
    const { info } = await present({ open: false, reason: 'no-open' })
    expect(info).toBe('Open this URL in a browser to log in:\n  https://as.example.test/auth?x=1')
  })

  it('opens the browser, and only warns when that fails: the URL is on the screen', async () => {
    const opened: string[] = []
    expect((await present({ open: true }, async (url) => void opened.push(url))).warn).toEqual([])
    expect(opened).toEqual(['https://as.example.test/auth?x=1'])
    const failed = await present({ open: true }, async () => {
      throw Object.assign(new Error('spawn xdg-open ENOENT'), { code: 'ENOENT' })
    })
    expect(failed.info).toContain('https://as.example.test/auth?x=1')
    expect(failed.warn).toEqual(['could not open a browser (ENOENT): open the URL yourself'])
  })
})
