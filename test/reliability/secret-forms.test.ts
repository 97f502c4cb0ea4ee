import { beforeEach, describe, expect, it } from 'vitest'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { dynamic, type FaultServer, json, useFaultServer } from './fault-server.js'
import { clientSecretEntry, writeProfiles, writeSecrets } from './profile-files.js'

/**
 * Issue 14 row 5: a token endpoint that echoes what it received (the Authorization header, the form
 * body) in its error_description must not make oauthctl print the client secret in any encoding:
 * not on the error line, not in the --json error, not in the -v trace, not in --explain.
 */
const CLIENT_ID = 'svc client:1'
// Characters that every encoding treats differently: space, '/', '+', '~', '!', '*', '-'.
const SECRET = 's3cr3t-Pa ss/wo+rd~!*x'

/** oauth4webapi's encoding of id and secret before Basic (RFC 6749 §2.3.1: form-urlencoded, strictly). */
const strictForm = (v: string) =>
  encodeURIComponent(v)
    .replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
const form = (v: string) => new URLSearchParams({ v }).toString().slice(2)
const b64 = (v: string) => Buffer.from(v).toString('base64')

const secretForms = (() => {
  const basic = [b64(`${CLIENT_ID}:${SECRET}`), b64(`${strictForm(CLIENT_ID)}:${strictForm(SECRET)}`), b64(`${form(CLIENT_ID)}:${form(SECRET)}`)]
  const forms: Record<string, string> = { raw: SECRET, uri: encodeURIComponent(SECRET), form: form(SECRET), strictForm: strictForm(SECRET) }
  for (const [i, value] of basic.entries()) {
    forms[`basic${i}`] = value
    forms[`basic${i} url-encoded`] = encodeURIComponent(value)
    forms[`basic${i} form-encoded`] = form(value)
  }
  return forms
})()

let fault: FaultServer
let t: Sandboxed

useFaultServer((f) => (fault = f))
useIsolated((i) => (t = i))
beforeEach(async () => {
  // The echo: everything the client sent, in the error description, raw and in a JSON member.
  fault.route(
    '/token',
    dynamic((req, ctx) => json(401, { error: 'invalid_client', error_description: `got Authorization: ${req.headers.authorization ?? '-'}; body: ${ctx.body}; decoded: ${decodeURIComponent(ctx.body)}`, echo: req.headers.authorization })),
  )
})

describe('every encoding of the client secret is redacted where the server echoes it', () => {
  it.each(['client_secret_basic', 'client_secret_post'] as const)('%s: error line, --json error, -v trace and --explain', async (authMethod) => {
    await writeProfiles(t.configDir, { s: { endpoints: { token: fault.url('/token') }, clientId: CLIENT_ID, authMethod } })
    await writeSecrets(t.configDir, clientSecretEntry('s', SECRET))
    const runs = [await t.run(['token', 'get', '-p', 's']), await t.run(['token', 'get', '-p', 's', '--json']), await t.run(['token', 'get', '-p', 's', '-v']), await t.run(['token', 'get', '-p', 's', '--explain'])]
    // The server did receive the secret (in its Basic or form encoding): the echo is real.
    const sent = fault.requests.map((r) => `${r.headers.authorization ?? ''} ${r.body}`).join('\n')
    expect(sent).toContain(authMethod === 'client_secret_basic' ? secretForms.basic1 : secretForms.form)
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(4)
      expect(run.stderr).toContain('invalid_client')
      for (const [name, value] of Object.entries(secretForms)) {
        expect(`${run.stdout}\n${run.stderr}`, `${name} form of the secret leaked`).not.toContain(value)
      }
    }
  })
})
