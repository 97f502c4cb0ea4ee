import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import { type FakeKubeApi, startFakeKubeApi } from '../fakes/kube-api.js'
import { tokenChecker } from '../fakes/token-check.js'
import { makeTestPki, type TestPki } from '../helpers/certificates.js'
import { BIN, type Sandboxed } from '../helpers/cli.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'
import { readStored, seedToken } from '../helpers/stored-token.js'
import { issueRefreshToken } from '../helpers/sandbox-grants.js'

/**
 * The real kubectl against a loopback HTTPS API server that checks the bearer token against the
 * sandbox's keys. Whatever kubectl is installed decides which ExecCredential versions are tried:
 * before 1.22 it speaks only v1beta1 (Debian's kubernetes-client is 1.20).
 */
const kubectlMinor = Number(JSON.parse(execFileSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' })).clientVersion.minor.replace(/\D.*$/, ''))
const API_VERSIONS = kubectlMinor >= 22 ? ['v1', 'v1beta1'] : ['v1beta1']
/** Debian's kubectl 1.20 (built with a Go its json-iterator predates) panics when it writes an exec credential. */
const KUBECTL_WRITES_EXEC = kubectlMinor >= 22
const OIDC_SCOPES = ['openid', 'offline_access']

let sandbox: Sandbox
let t: Sandboxed
let pki: TestPki
let pkiDir: string
let accessApi: FakeKubeApi
let oidcApi: FakeKubeApi

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))
beforeAll(async () => {
  pkiDir = mkdtempSync(join(tmpdir(), 'oauthctl-kube-'))
  pki = makeTestPki(pkiDir)
  const tls = { cert: pki.server.pem, key: readFileSync(pki.server.key, 'utf8') }
  // A webhook-style API that accepts the sandbox API's access tokens, and an OIDC-style one that accepts ID tokens for demo-public.
  accessApi = await startFakeKubeApi(tls, tokenChecker(sandbox.issuer, sandbox.resource))
  oidcApi = await startFakeKubeApi(tls, tokenChecker(sandbox.issuer, 'demo-public'))
})
afterAll(async () => {
  await Promise.all([accessApi?.close(), oidcApi?.close()])
  rmSync(pkiDir, { recursive: true, force: true })
})

function kubectl(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', args, { env: { ...t.env, KUBECONFIG: join(t.home, 'kubeconfig'), ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    })
  })
}

/** A cluster and a context for the fake API server, next to whatever user entries the file has. */
async function useCluster(api: FakeKubeApi, user: string) {
  for (const args of [
    ['config', 'set-cluster', 'fake', `--server=${api.server}`, `--certificate-authority=${pki.ca.cert}`],
    ['config', 'set-context', 'fake', '--cluster=fake', `--user=${user}`],
    ['config', 'use-context', 'fake'],
  ]) {
    const result = await kubectl(args)
    expect(result.code, result.stderr).toBe(0)
  }
}

const addConfidential = (name: string) =>
  t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin'], { stdin: 'demo-confidential-secret' })

async function addOidcSession(name: string) {
  const added = await t.run(['profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', 'demo-public', '--auth-method', 'none', ...OIDC_SCOPES.flatMap((s) => ['--scope', s])])
  expect(added.code, added.stderr).toBe(0)
  const refresh = await issueRefreshToken(sandbox, { clientId: 'demo-public', scope: OIDC_SCOPES.join(' ') })
  return seedToken(t.configDir, name, { access_token: 'expired-access-token', refresh_token: refresh }, OIDC_SCOPES)
}

describe('token get --output exec-credential', () => {
  it('prints an ExecCredential in the version KUBERNETES_EXEC_INFO asks for, v1 when unset; an unknown one is exit 2', async () => {
    expect((await addConfidential('k')).code).toBe(0)
    const plain = await t.run(['token', 'get', '--output', 'exec-credential'])
    expect(plain.code, plain.stderr).toBe(0)
    const v1 = JSON.parse(plain.stdout)
    expect(v1).toMatchObject({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: expect.any(String) } })
    expect(v1.status.expirationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(Date.parse(v1.status.expirationTimestamp)).toBeGreaterThan(Date.now())
    expect(await tokenChecker(sandbox.issuer, sandbox.resource)(v1.status.token)).toBe(true)

    const info = (apiVersion: string) => ({ KUBERNETES_EXEC_INFO: JSON.stringify({ kind: 'ExecCredential', apiVersion, spec: { interactive: false } }) })
    const beta = await t.run(['token', 'get', '--output', 'exec-credential'], { env: info('client.authentication.k8s.io/v1beta1') })
    expect(JSON.parse(beta.stdout)).toEqual({ ...v1, apiVersion: 'client.authentication.k8s.io/v1beta1' })

    const alpha = await t.run(['token', 'get', '--output', 'exec-credential'], { env: info('client.authentication.k8s.io/v1alpha1') })
    expect(alpha.code).toBe(2)
    expect(alpha.stdout).toBe('')
    expect(alpha.stderr).toContain('KUBERNETES_EXEC_INFO asks for an ExecCredential version oauthctl does not speak')
  })
})

describe('token get --id-token', () => {
  it('refreshes an expired ID token even while the access token is fresh, then serves it from the cache', async () => {
    const key = await addOidcSession('o')
    const refresh = (await readStored(t.configDir, key))?.refresh_token
    const now = Math.floor(Date.now() / 1000)
    const staleIdToken = await new SignJWT({ sub: 'demo' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(sandbox.issuer).setAudience('demo-public').setExpirationTime(now - 5).sign(new Uint8Array(32))
    await seedToken(t.configDir, 'o', { access_token: 'fresh-access-token', expires_at: now + 3600, refresh_token: refresh, id_token: staleIdToken }, OIDC_SCOPES)
    sandbox.resetCounts()

    const first = await t.run(['token', 'get', '--id-token'])
    expect(first.code, first.stderr).toBe(0)
    const idToken = first.stdout.trim()
    expect(idToken).not.toBe(staleIdToken)
    expect(await tokenChecker(sandbox.issuer, 'demo-public')(idToken)).toBe(true)
    expect(sandbox.requestCount('/token')).toBe(1)

    const again = await t.run(['token', 'get', '--id-token', '--output', 'json'])
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toEqual({ idToken, expiresAt: expect.any(String), expiresAtEpoch: expect.any(Number) })
    expect(sandbox.requestCount('/token')).toBe(1)
  })

  it('a session without an ID token (client credentials) is exit 3 with a hint, and nothing is requested', async () => {
    expect((await addConfidential('cc')).code).toBe(0)
    expect((await t.run(['token', 'get'])).code).toBe(0)
    sandbox.resetCounts()
    const none = await t.run(['token', 'get', '--id-token'])
    expect(none.code).toBe(3)
    expect(none.stdout).toBe('')
    expect(none.stderr).toContain('error: no ID token for profile cc')
    expect(none.stderr).toContain('hint: log in with the openid scope')
    expect(sandbox.requestCount('/token')).toBe(0)
  })
})

describe('kubectl, for real', () => {
  it.each(API_VERSIONS)('kubectl get --raw /api with the access token (exec stanza %s from oauthctl kubeconfig)', async (apiVersion) => {
    expect((await addConfidential('kube')).code).toBe(0)
    const printed = await t.run(['kubeconfig', '-p', 'kube', '--api-version', apiVersion, '--json'])
    expect(printed.code, printed.stderr).toBe(0)
    const { users } = JSON.parse(printed.stdout)
    expect(users[0].user.exec).toEqual({
      apiVersion: `client.authentication.k8s.io/${apiVersion}`,
      command: BIN,
      args: ['token', 'get', '--output', 'exec-credential', '-p', 'kube'],
      interactiveMode: 'Never',
      provideClusterInfo: false,
    })
    // The YAML form carries the same document (kubectl reads it, below).
    const yaml = await t.run(['kubeconfig', '-p', 'kube', '--api-version', apiVersion])
    writeFileSync(join(t.home, 'kubeconfig'), `apiVersion: v1\nkind: Config\n${yaml.stdout}`)
    await useCluster(accessApi, 'oauthctl-kube')
    const before = accessApi.presented.length

    const got = await kubectl(['get', '--raw', '/api'])
    expect(got.code, got.stderr).toBe(0)
    expect(JSON.parse(got.stdout)).toMatchObject({ kind: 'APIVersions', versions: ['v1'] })
    expect(accessApi.presented.length).toBeGreaterThan(before)
  })

  it('kubeconfig --write merges the user entry with kubectl; kubectl then authenticates with the ID token, refreshed as needed', async () => {
    const apiVersion = API_VERSIONS[0] as string
    await addOidcSession('oidc')
    // An existing kubeconfig with another user: kept.
    writeFileSync(join(t.home, 'kubeconfig'), 'apiVersion: v1\nkind: Config\nusers:\n- name: someone-else\n  user:\n    token: other\n')
    const write = () => t.run(['kubeconfig', '-p', 'oidc', '--id-token', '--write', '--user', 'corp', '--api-version', apiVersion], { env: { KUBECONFIG: join(t.home, 'kubeconfig') } })
    if (KUBECTL_WRITES_EXEC) {
      for (let i = 0; i < 2; i++) {
        const written = await write()
        expect(written.code, written.stderr).toBe(0)
        expect(written.stdout).toBe('')
      }
    } else {
      // kubectl's own failure, said in one line with the way out; the file is left as it was.
      const before = readFileSync(join(t.home, 'kubeconfig'), 'utf8')
      const failed = await write()
      expect(failed.code).toBe(2)
      expect(failed.stderr).toMatch(/^error: kubectl config set-credentials failed: .*\nhint: oauthctl kubeconfig \(without --write\) prints the entry/)
      expect(readFileSync(join(t.home, 'kubeconfig'), 'utf8')).toBe(before)
      const printed = await t.run(['kubeconfig', '-p', 'oidc', '--id-token', '--user', 'corp', '--api-version', apiVersion])
      writeFileSync(join(t.home, 'kubeconfig'), `${before}${printed.stdout.replace(/^users:\n/, '')}`)
    }
    const view = await kubectl(['config', 'view', '-o', 'json'])
    const users = JSON.parse(view.stdout).users
    expect(users.map((u: { name: string }) => u.name).sort()).toEqual(['corp', 'someone-else'])
    // Written twice, the arguments are not doubled.
    expect(users.find((u: { name: string }) => u.name === 'corp').user.exec).toMatchObject({
      command: BIN,
      args: ['token', 'get', '--output', 'exec-credential', '-p', 'oidc', '--id-token'],
      apiVersion: `client.authentication.k8s.io/${apiVersion}`,
    })
    sandbox.resetCounts()
    await useCluster(oidcApi, 'corp')
    const got = await kubectl(['get', '--raw', '/api'])
    expect(got.code, got.stderr).toBe(0)
    expect(JSON.parse(got.stdout)).toMatchObject({ kind: 'APIVersions' })
    // However often kubectl ran the plugin, one refresh: the ID token came from the cache after it.
    expect(sandbox.requestCount('/token')).toBe(1)
    // The API server saw the ID token, not the access token.
    expect(await tokenChecker(sandbox.issuer, 'demo-public')(oidcApi.presented.at(-1) as string)).toBe(true)
  })

  it('the API server refuses the access token where it wants an ID token: kubectl fails (the fake really checks)', async () => {
    expect((await addConfidential('wrong')).code).toBe(0)
    const yaml = await t.run(['kubeconfig', '-p', 'wrong', '--api-version', API_VERSIONS[0] as string])
    writeFileSync(join(t.home, 'kubeconfig'), `apiVersion: v1\nkind: Config\n${yaml.stdout}`)
    await useCluster(oidcApi, 'oauthctl-wrong')
    const got = await kubectl(['get', '--raw', '/api'])
    expect(got.code).not.toBe(0)
    expect(got.stderr).toMatch(/Unauthorized|provide credentials/)
  })
})
