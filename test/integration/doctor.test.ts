import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { rootCertificates } from 'node:tls'
import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import type { Sandboxed } from '../helpers/cli.js'
import { editConfig } from '../helpers/config-files.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'
import { type FaultServer, html, json, refusedPort, useFaultServer } from '../reliability/fault-server.js'

let sandbox: Sandbox
let t: Sandboxed
let fake: FaultServer

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))
useFaultServer((f) => (fake = f))

/** No keychain on this machine, and no storage chosen by flag or environment: what the profile says decides. */
const NO_KEYCHAIN = { OAUTHCTL_STORAGE: undefined, DBUS_SESSION_BUS_ADDRESS: undefined }

interface Check {
  name: string
  result: 'ok' | 'warn' | 'fail'
  detail: string
  hint?: string
}

const doctorJson = async (args: string[], env?: Record<string, string | undefined>) => {
  const result = await t.run(['doctor', '--json', ...args], { env })
  const doc = JSON.parse(result.stdout) as { profile: string | null; checks: Check[] }
  const check = (name: string) => doc.checks.find((c) => c.name === name)
  return { ...result, doc, check }
}

const addSandboxProfile = async (name: string, extra: string[] = []) => {
  const added = await t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', 'demo-public', '--auth-method', 'none', ...extra])
  expect(added.code, added.stderr).toBe(0)
}

/** The fake server as an issuer: its discovery document, with its `Date` header `offsetMs` off. */
const fakeIssuer = (offsetMs = 0) => {
  const date = { date: new Date(Date.now() + offsetMs).toUTCString() }
  const metadata = { issuer: fake.origin, token_endpoint: fake.url('/token'), response_types_supported: ['code'] }
  fake.route('/', json(404, { error: 'not_found' }, date))
  fake.route('/.well-known/openid-configuration', json(200, metadata, date))
}

describe('doctor -p NAME: storage', () => {
  it('a file-storage profile on a machine with no keychain says file and exits 0', async () => {
    await addSandboxProfile('f', ['--storage', 'file'])
    const human = await t.run(['doctor', '-p', 'f'], { env: NO_KEYCHAIN })
    expect(human.code, human.stdout + human.stderr).toBe(0)
    expect(human.stdout).toMatch(/^ok\s+storage\s+file \(from the profile\): .*credentials\.json/m)
    expect(human.stdout).not.toMatch(/keychain/)
    const { code, check } = await doctorJson(['-p', 'f'], NO_KEYCHAIN)
    expect(code).toBe(0)
    expect(check('storage')).toMatchObject({ result: 'ok', detail: expect.stringMatching(/^file \(from the profile\)/) })
  })

  it('a keychain profile with no keychain fails the storage check: exit 6, with why and the fix', async () => {
    await addSandboxProfile('kc', ['--storage', 'keychain'])
    const { code, check, stderr, doc } = await doctorJson(['-p', 'kc'], NO_KEYCHAIN)
    expect(code).toBe(6)
    expect(doc.profile).toBe('kc')
    expect(check('storage')).toMatchObject({ result: 'fail', detail: expect.stringMatching(/^keychain \(from the profile\): unavailable: no D-Bus session/), hint: expect.stringContaining('--storage file') })
    expect(check('issuer')?.result).toBe('ok') // the other checks still ran
    expect(JSON.parse(stderr).error).toMatchObject({ status: 6, message: '1 check failed: storage' })
  })

  it('--storage on the command line wins over the profile, as every command does', async () => {
    await addSandboxProfile('kc', ['--storage', 'keychain'])
    const { code, check } = await doctorJson(['-p', 'kc', '--storage', 'none'], NO_KEYCHAIN)
    expect(code).toBe(0)
    expect(check('storage')).toMatchObject({ result: 'ok', detail: expect.stringMatching(/^none \(from --storage\)/) })
  })
})

describe('doctor -p NAME: the server', () => {
  it('the sandbox: every check passes; --json is { profile, checks: [{ name, result, detail }] }', async () => {
    await addSandboxProfile('s')
    const { code, doc, stderr } = await doctorJson(['-p', 's'])
    expect(code, stderr).toBe(0)
    expect(doc.profile).toBe('s')
    expect(doc.checks.map((c) => [c.name, c.result])).toEqual([
      ['storage', 'ok'],
      ['ca', 'ok'],
      ['proxy', 'ok'],
      ['issuer', 'ok'],
      ['discovery', 'ok'],
      ['clock', 'ok'],
    ])
    expect(doc.checks.find((c) => c.name === 'issuer')?.detail).toMatch(new RegExp(`^${sandbox.issuer} answered \\(HTTP \\d{3}\\)`))
    expect(doc.checks.find((c) => c.name === 'discovery')?.detail).toMatch(/^openid-configuration is valid/)
  })

  it('a server clock 10 minutes ahead: clock warns with the skew, exit 0', async () => {
    fakeIssuer(10 * 60_000)
    const added = await t.run(['profiles', 'add', 'skewed', '--issuer', fake.origin, '--client-id', 'x'])
    expect(added.code, added.stderr).toBe(0)
    const { code, check } = await doctorJson(['-p', 'skewed'])
    expect(code).toBe(0)
    expect(check('clock')?.result).toBe('warn')
    expect(check('clock')?.detail).toMatch(/^the server's clock is 59\d s ahead of this machine's|^the server's clock is 60\d s ahead of this machine's/)
    const human = await t.run(['doctor', '-p', 'skewed'])
    expect(human.stdout).toMatch(/^warn\s+clock\s+the server's clock is \d+ s ahead/m)
  })

  it('an issuer that cannot be reached fails (exit 5); a discovery document that is HTML fails (exit 5)', async () => {
    fakeIssuer()
    const added = await t.run(['profiles', 'add', 'gone', '--issuer', fake.origin, '--client-id', 'x'])
    expect(added.code, added.stderr).toBe(0)
    const port = await refusedPort()
    await editConfig(t.configDir, (config) => {
      config.profiles.gone.issuer = `http://127.0.0.1:${port}`
    })
    const gone = await doctorJson(['-p', 'gone'], { OAUTHCTL_TIMEOUT: '2' })
    expect(gone.code).toBe(5)
    expect(gone.check('issuer')).toMatchObject({ result: 'fail', detail: expect.stringMatching(/connection refused/) })

    const broken = await t.run(['profiles', 'add', 'broken', '--issuer', fake.origin, '--client-id', 'x'])
    expect(broken.code, broken.stderr).toBe(0)
    fake.route('/.well-known/openid-configuration', html(200))
    const htmlDoc = await doctorJson(['-p', 'broken'])
    expect(htmlDoc.code).toBe(5)
    expect(htmlDoc.check('issuer')?.result).toBe('ok')
    expect(htmlDoc.check('discovery')).toMatchObject({ result: 'fail', detail: 'discovery (openid-configuration) returned HTML (status 200, text/html)' })
  })
})

describe('doctor -p NAME: proxy and CA settings', () => {
  it('names the proxy the issuer goes through, its password redacted; NO_PROXY and loopback go direct', async () => {
    const added = await t.run(['profiles', 'add', 'remote', '--token-endpoint', 'https://idp.example.test/token', '--client-id', 'x'])
    expect(added.code, added.stderr).toBe(0)
    const port = await refusedPort()
    const proxy = { HTTPS_PROXY: `http://user:proxy-pass-123@127.0.0.1:${port}`, OAUTHCTL_TIMEOUT: '2' }
    const through = await doctorJson(['-p', 'remote'], proxy)
    expect(through.check('proxy')).toMatchObject({ result: 'ok', detail: `https://idp.example.test goes through http://[REDACTED]@127.0.0.1:${port} (HTTPS_PROXY)` })
    expect(through.check('issuer')?.result).toBe('fail') // nothing listens where the proxy should be
    expect(through.stdout + through.stderr).not.toContain('proxy-pass-123')

    const bypassed = await doctorJson(['-p', 'remote'], { ...proxy, NO_PROXY: '.example.test' })
    expect(bypassed.check('proxy')?.detail).toBe('https://idp.example.test goes direct (NO_PROXY has example.test)')

    await addSandboxProfile('local')
    const loopback = await doctorJson(['-p', 'local'], proxy)
    expect(loopback.code, loopback.stderr).toBe(0)
    expect(loopback.check('proxy')?.detail).toBe(`${sandbox.issuer} goes direct (loopback addresses never use a proxy)`)
  })

  it('a proxy variable that is not a URL fails (exit 2)', async () => {
    await addSandboxProfile('s')
    const { code, check } = await doctorJson(['-p', 's'], { https_proxy: 'proxy.corp:3128 oops' })
    expect(code).toBe(2)
    expect(check('proxy')).toMatchObject({ result: 'fail', detail: 'https_proxy is not an http(s) URL' })
  })

  it('CA files: a readable PEM is ok; an unreadable --ca-file or one with no certificate fails (exit 2)', async () => {
    await addSandboxProfile('s')
    const pem = join(t.home, 'corp-ca.pem')
    await writeFile(pem, `${rootCertificates[0]}\n${rootCertificates[1]}\n`)
    const extra = await doctorJson(['-p', 's'], { NODE_EXTRA_CA_CERTS: pem })
    expect(extra.code, extra.stderr).toBe(0)
    expect(extra.check('ca')?.detail).toBe(`NODE_EXTRA_CA_CERTS ${pem}: 2 certificates`)

    const missing = await doctorJson(['-p', 's', '--ca-file', join(t.home, 'nope.pem')])
    expect(missing.code).toBe(2)
    expect(missing.check('ca')).toMatchObject({ result: 'fail', detail: `--ca-file ${join(t.home, 'nope.pem')}: cannot read it (ENOENT)` })

    const notPem = join(t.home, 'key.txt')
    await writeFile(notPem, 'not a certificate')
    const empty = await doctorJson(['-p', 's', '--ca-file', notPem])
    expect(empty.code).toBe(2)
    expect(empty.check('ca')?.detail).toBe(`--ca-file ${notPem}: no PEM certificate in it`)

    const insecure = await doctorJson(['-p', 's', '--insecure'])
    expect(insecure.check('ca')).toMatchObject({ result: 'warn', detail: 'TLS verification is off (--insecure)' })
  })
})
