import { chmod, readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import { ADMIN, type GenesysFake, useGenesysAdmin } from '../fakes/genesys.js'
import type { Sandboxed } from '../helpers/cli.js'
import { credentialEntries, readConfig } from '../helpers/config-files.js'
import { useSandboxAdmin } from '../helpers/lifecycle.js'

const CC_ID = '3b2f6c1e-9a7d-4e85-b1c0-7d6e5f4a3b21'
const CODE_ID = '8c7b6a59-4d3e-4f21-9a0b-c1d2e3f4a5b6'
/** A variable oauthctl treats as its own secret: a delivery command must not see it. */
const SENTINEL = { OAUTHCTL_PASSWORD: 'sentinel-password-never-in-a-child' }

/** Scripts in the test's HOME: one that stores its stdin in $1 (and its argv and environment beside it), one that fails. */
async function scripts(home: string) {
  const store = join(home, 'store.sh')
  await writeFile(store, '#!/bin/sh\ncat > "$1"\nprintf "%s\\n" "$0" "$@" > "$1.argv"\nenv > "$1.env"\necho "stored by store.sh"\n')
  const fail = join(home, 'fail.sh')
  await writeFile(fail, '#!/bin/sh\ncat > /dev/null\necho "vault: permission denied" >&2\nexit 1\n')
  await chmod(store, 0o755)
  await chmod(fail, 0o755)
  return { store, fail, out: join(home, 'delivered secret') }
}

/** The delivered file holds exactly the secret; neither the command's argv nor its environment does. */
async function expectDelivered(out: string, secret: string) {
  expect(await readFile(out, 'utf8')).toBe(secret)
  const argv = await readFile(`${out}.argv`, 'utf8')
  const env = await readFile(`${out}.env`, 'utf8')
  for (const text of [argv, env]) {
    expect(text).not.toContain(secret)
    expect(text).not.toContain(SENTINEL.OAUTHCTL_PASSWORD)
  }
  expect(argv.split('\n')[1]).toBe(out)
}

const expectNoSecret = (result: { stdout: string; stderr: string }, secret: string) => {
  expect(result.stdout).not.toContain(secret)
  expect(result.stderr).not.toContain(secret)
}

describe('RFC 7591 create --deliver', () => {
  let sandbox: Sandbox
  let t: Sandboxed
  useSandboxAdmin((s, i) => {
    sandbox = s
    t = i
  })
  const recoveryEntries = async () => Object.entries(await credentialEntries(t.configDir)).filter(([key]) => key.startsWith('profile/admin/recovery/'))

  it('writes the new secret to the command’s stdin (no newline), prints nothing secret, and the secret gets a token', async () => {
    const { store, out } = await scripts(t.home)
    const created = await t.run(['clients', 'create', '--name', 'svc', '--grant-type', 'client_credentials', '--deliver', `${store} '${out}'`, '--json', '-v'], { env: SENTINEL })
    expect(created, created.stderr).toMatchObject({ code: 0 })
    const doc = JSON.parse(created.stdout)
    expect(doc).toEqual({ client: expect.objectContaining({ id: expect.any(String), name: 'svc' }), delivered: store, verified: false })
    expect(created.stderr).toMatch(new RegExp(`^delivered to ${store}$`, 'm'))
    // The command's own output goes to stderr: stdout is oauthctl's one JSON document.
    expect(created.stderr).toContain('stored by store.sh')
    const secret = await readFile(out, 'utf8')
    expect(secret.length).toBeGreaterThan(20)
    await expectDelivered(out, secret)
    expectNoSecret(created, secret)
    expect(await recoveryEntries()).toEqual([])

    const token = await t.run(['token', 'get', '--grant', 'client_credentials'], { env: { OAUTHCTL_ISSUER: sandbox.issuer, OAUTHCTL_CLIENT_ID: doc.client.id, OAUTHCTL_CLIENT_SECRET: secret } })
    expect(token, token.stderr).toMatchObject({ code: 0 })
  })

  it('a failed delivery exits 7 printing nothing secret; recover-secret prints it once, then has nothing to recover (exit 3)', async () => {
    const { fail } = await scripts(t.home)
    const created = await t.run(['clients', 'create', '--name', 'svc', '--grant-type', 'client_credentials', '--deliver', fail])
    expect(created.code).toBe(7)
    const [[key, kept]] = (await recoveryEntries()) as [[string, string]]
    const { client, secret } = JSON.parse(kept) as { client: { id: string }; secret: string }
    expect(key).toBe(`profile/admin/recovery/${client.id}`)
    expectNoSecret(created, secret)
    expect(created.stdout).toBe('')
    expect(created.stderr).toContain('vault: permission denied')
    expect(created.stderr).toMatch(new RegExp(`^error: delivery failed: ${fail} exited with 1$`, 'm'))
    expect(created.stderr).toMatch(new RegExp(`^hint: the new secret is kept in secret storage: oauthctl clients recover-secret -p admin ${client.id} prints it`, 'm'))

    const recovered = await t.run(['clients', 'recover-secret', '--', client.id])
    expect(recovered, recovered.stderr).toMatchObject({ code: 0 })
    expect(recovered.stdout.split(secret)).toHaveLength(2)
    expect(recovered.stdout).toMatch(new RegExp(`^secret: ${secret}$`, 'm'))
    expect(recovered.stderr).not.toContain(secret)
    expect(await recoveryEntries()).toEqual([])

    const again = await t.run(['clients', 'recover-secret', '--', client.id])
    expect(again.code).toBe(3)
    expect(again.stderr).toMatch(new RegExp(`^error: nothing to recover for client ${client.id} in profile admin$`, 'm'))
  })

  it('recover-secret --json prints the secret in one document; --deliver retries and --save-profile stores it (both: deliver, then save)', async () => {
    const { fail, store, out } = await scripts(t.home)
    const ids: string[] = []
    for (let i = 0; i < 2; i++) {
      const created = await t.run(['clients', 'create', '--name', `svc${i}`, '--grant-type', 'client_credentials', '--deliver', fail, '--json'])
      expect(created.code).toBe(7)
      // stderr also carries the command's own words and a storage warning: the JSON error is a line of its own.
      const errorLine = /^\{"error".*$/m.exec(created.stderr)?.[0]
      expect(JSON.parse(errorLine ?? 'null'), created.stderr).toMatchObject({ error: { code: 'delivery_failed', status: 7 } })
      ids.push((await recoveryEntries()).map(([key]) => key.slice('profile/admin/recovery/'.length)).find((id) => !ids.includes(id)) as string)
    }
    const [first, second] = ids as [string, string]
    const kept = Object.fromEntries(await recoveryEntries())
    const secretOf = (id: string) => (JSON.parse(kept[`profile/admin/recovery/${id}`] as string) as { secret: string }).secret

    const printed = await t.run(['clients', 'recover-secret', '--json', '--', first])
    expect(printed.code).toBe(0)
    expect(JSON.parse(printed.stdout)).toEqual({ client: expect.objectContaining({ id: first }), secret: secretOf(first) })

    // A retry that fails again keeps the secret.
    const failedAgain = await t.run(['clients', 'recover-secret', '--deliver', fail, '--', second])
    expect(failedAgain.code).toBe(7)
    expectNoSecret(failedAgain, secretOf(second))
    expect((await recoveryEntries()).map(([k]) => k)).toEqual([`profile/admin/recovery/${second}`])

    const delivered = await t.run(['clients', 'recover-secret', '--deliver', `${store} '${out}'`, '--save-profile', 'svc', '--', second], { env: SENTINEL })
    expect(delivered, delivered.stderr).toMatchObject({ code: 0 })
    expectNoSecret(delivered, secretOf(second))
    await expectDelivered(out, secretOf(second))
    expect(delivered.stdout).toContain('created profile svc with the secret in secret storage')
    expect((await credentialEntries(t.configDir))['profile/svc/client-secret']).toBe(secretOf(second))
    expect((await readConfig(t.configDir)).profiles.svc).toMatchObject({ clientId: second })
    expect(await recoveryEntries()).toEqual([])
    expect((await t.run(['token', 'get', '-p', 'svc'])).code).toBe(0)
  })

  it('a command that does not exist: a 127-style message, exit 7, and the secret kept', async () => {
    const created = await t.run(['clients', 'create', '--name', 'svc', '--grant-type', 'client_credentials', '--deliver', 'no-such-vault-cli kv put secret/app client_secret=-'])
    expect(created.code).toBe(7)
    expect(created.stderr).toMatch(/^error: delivery failed: no-such-vault-cli: command not found \(127\)$/m)
    expect(await recoveryEntries()).toHaveLength(1)
  })

  it('a command that does not finish is stopped after --deliver-timeout (exit 7), the secret kept', async () => {
    const started = Date.now()
    const created = await t.run(['clients', 'create', '--name', 'svc', '--grant-type', 'client_credentials', '--deliver', 'sleep 30', '--deliver-timeout', '1'])
    expect(created.code).toBe(7)
    expect(created.stderr).toMatch(/^error: delivery to sleep did not finish within 1 s \(stopped\)$/m)
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(await recoveryEntries()).toHaveLength(1)
  })

  it('a command that ignores SIGTERM is still stopped at --deliver-timeout: the wait is bounded', async () => {
    const started = Date.now()
    const created = await t.run(['clients', 'create', '--name', 'svc', '--grant-type', 'client_credentials', '--deliver', "sh -c 'trap \"\" TERM; sleep 20'", '--deliver-timeout', '1'])
    expect(created.code).toBe(7)
    expect(created.stderr).toMatch(/^error: delivery to sh did not finish within 1 s \(stopped\)$/m)
    expect(Date.now() - started).toBeLessThan(12_000)
    expect(await recoveryEntries()).toHaveLength(1)
  })

  it('--verify with client credentials: the new secret gets a token before it is delivered', async () => {
    const { store, out } = await scripts(t.home)
    sandbox.resetCounts()
    const created = await t.run(['clients', 'create', '--name', 'svc', '--grant-type', 'client_credentials', '--verify', '--deliver', `${store} '${out}'`, '--json'])
    expect(created, created.stderr).toMatchObject({ code: 0 })
    expect(JSON.parse(created.stdout)).toMatchObject({ verified: true, delivered: store })
    expect(created.stderr).toMatch(new RegExp(`^verified: the new secret got a token from ${sandbox.issuer}/token$`, 'm'))
    expect(sandbox.requestCount('/token')).toBe(1)
    expectNoSecret(created, await readFile(out, 'utf8'))
  })

  it('refuses before anything is sent: a pipe or an empty --deliver, --verify without client credentials, storage none (exit 2); --dry-run runs nothing', async () => {
    const { store, out } = await scripts(t.home)
    sandbox.resetCounts()
    const piped = await t.run(['clients', 'create', '--name', 'svc', '--grant-type', 'client_credentials', '--deliver', 'kubectl create secret generic app --from-file=s=/dev/stdin | kubectl apply -f -'])
    expect(piped.code).toBe(2)
    expect(piped.stderr).toMatch(/^error: --deliver runs CMD without a shell, so \| cannot be used there$/m)
    expect(piped.stderr).toMatch(/^hint: for a pipeline, run a shell yourself: --deliver "sh -c 'CMD1 \| CMD2'"$/m)
    const empty = await t.run(['clients', 'create', '--name', 'svc', '--deliver', '  '])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toMatch(/^error: --deliver: needs a command/m)
    const unverifiable = await t.run(['clients', 'create', '--name', 'app', '--redirect-uri', 'http://127.0.0.1/cb', '--verify'])
    expect(unverifiable.code).toBe(2)
    expect(unverifiable.stderr).toMatch(/^error: --verify proves a secret with a client_credentials request/m)
    const none = await t.run(['clients', 'create', '--name', 'svc', '--grant-type', 'client_credentials', '--deliver', store, '--storage', 'none'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/^error: --deliver needs secret storage to keep the new secret if it fails, and storage is none$/m)
    const dry = await t.run(['clients', 'create', '--name', 'svc', '--grant-type', 'client_credentials', '--deliver', `${store} '${out}'`, '--verify', '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toMatch(/^dry run: would send\nPOST /)
    expect(existsSync(out)).toBe(false)
    expect(sandbox.requestCount('/reg')).toBe(0)
    expect(sandbox.requestCount('/token')).toBe(0)
  })
})

describe('Genesys Cloud rotate-secret --deliver and --verify', () => {
  let fake: GenesysFake
  let t: Sandboxed
  useGenesysAdmin((f, i) => {
    fake = f
    t = i
  })
  const kept = async (id: string) => (await credentialEntries(t.configDir))[`profile/gc/recovery/${id}`]

  it('rotates, verifies with a client_credentials request at the token endpoint, then delivers', async () => {
    const { store, out } = await scripts(t.home)
    const rotated = await t.run(['clients', 'rotate-secret', CC_ID, '--yes', '--verify', '--deliver', `${store} '${out}'`, '-v'], { env: SENTINEL })
    expect(rotated, rotated.stderr).toMatchObject({ code: 0 })
    const secret = fake.clients.get(CC_ID)?.secret as string
    expect(secret).not.toBe(ADMIN.secret)
    await expectDelivered(out, secret)
    expectNoSecret(rotated, secret)
    expect(rotated.stderr).toMatch(new RegExp(`^verified: the new secret got a token from ${fake.origin}/oauth/token$`, 'm'))
    const tokenRequests = fake.requests.filter((r) => r.path === '/oauth/token')
    expect(tokenRequests.at(-1)?.form).toMatchObject({ grant_type: 'client_credentials' })
    expect(await kept(CC_ID)).toBeUndefined()
  })

  it('a failed --verify is exit 4, delivers nothing, and keeps the secret for recover-secret --save-profile', async () => {
    const { store, out } = await scripts(t.home)
    const rotated = await t.run(['clients', 'rotate-secret', CODE_ID, '--yes', '--verify', '--deliver', `${store} '${out}'`])
    expect(rotated.code).toBe(4)
    const secret = fake.clients.get(CODE_ID)?.secret as string
    expectNoSecret(rotated, secret)
    expect(rotated.stdout).toBe('')
    expect(rotated.stderr).toMatch(new RegExp(`^error: --verify: the new secret got no token from ${fake.origin}/oauth/token: `, 'm'))
    expect(rotated.stderr).toMatch(new RegExp(`^hint: the new secret is kept in secret storage: oauthctl clients recover-secret -p gc ${CODE_ID}`, 'm'))
    expect(existsSync(out)).toBe(false)
    expect(JSON.parse((await kept(CODE_ID)) as string)).toMatchObject({ secret })

    const saved = await t.run(['clients', 'recover-secret', CODE_ID, '--save-profile', 'web', '--json'])
    expect(saved, saved.stderr).toMatchObject({ code: 0 })
    expect(JSON.parse(saved.stdout)).toMatchObject({ client: { id: CODE_ID }, savedProfile: { name: 'web', created: true } })
    expectNoSecret(saved, secret)
    expect((await credentialEntries(t.configDir))['profile/web/client-secret']).toBe(secret)
    expect(await kept(CODE_ID)).toBeUndefined()
  })

  it('a failed delivery after a rotation keeps the only copy of the new secret', async () => {
    const { fail } = await scripts(t.home)
    const rotated = await t.run(['clients', 'rotate-secret', CC_ID, '--yes', '--deliver', fail])
    expect(rotated.code).toBe(7)
    const secret = fake.clients.get(CC_ID)?.secret as string
    expectNoSecret(rotated, secret)
    expect(JSON.parse((await kept(CC_ID)) as string)).toMatchObject({ secret })
    const recovered = await t.run(['clients', 'recover-secret', CC_ID])
    expect(recovered.stdout).toMatch(new RegExp(`^secret: ${secret}$`, 'm'))
  })
})
