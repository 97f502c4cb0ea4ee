import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { appendFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import fc from 'fast-check'
import { beforeEach, describe, expect, it } from 'vitest'
import { fastTokenGet } from '../../src/boot/fast-token-get.cjs'
import { CliError } from '../../src/lib/errors.js'
import { renderToken, TOKEN_OUTPUTS, tokenJson } from '../../src/lib/tokens/token-output.js'
import { type TokenResponse, toStoredToken } from '../../src/lib/tokens/token-set.js'
import type { Sandboxed } from '../helpers/cli.js'
import { useIsolated } from '../helpers/lifecycle.js'
import { seedToken } from '../helpers/stored-token.js'
import { type FaultServer, tokenResponse, useFaultServer } from './fault-server.js'
import { clientSecretEntry, credentialEntries, expectOneErrorLine, writeProfiles, writeSecrets } from './profile-files.js'

/**
 * Issue 14 row 1: a token endpoint that puts shell syntax or a newline in a token. Tokens are
 * checked where a response becomes a stored token (exit 5, nothing stored); what is accepted is
 * printed so that no `--output` form can be broken out of: `eval` in bash, a GitHub-style env
 * file, a header line, a raw line, JSON. A planted cached value gets the same check on the fast path.
 */
let fault: FaultServer
let t: Sandboxed

useFaultServer((f) => (fault = f))
useIsolated((i) => (t = i), { OAUTHCTL_TIMEOUT: '2' })
beforeEach(async () => {
  await writeProfiles(t.configDir, { h: { endpoints: { token: fault.url('/token') }, clientId: 'hostile-test-client' } })
  await writeSecrets(t.configDir, clientSecretEntry('h', 'hostile-test-client-secret-31'))
})

const tokenEntries = async () => Object.keys(await credentialEntries(t.configDir)).filter((k) => k.includes('/token/'))

/** bash evaluates `text` (as `eval "$(oauthctl token get --output env)"` would) and prints the variable. */
function evalInBash(text: string, variable = 'OAUTHCTL_ACCESS_TOKEN'): { value: string; status: number | null } {
  const result = spawnSync('bash', ['-c', `eval "$(cat)" && printf '%s' "\${${variable}}"`], { input: text, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cwd: t.home })
  return { value: result.stdout, status: result.status }
}

describe('token endpoint with hostile token values', () => {
  const pwned = () => join(t.home, 'PWNED')
  it.each([
    ['a command after a semicolon', () => ({ access_token: `abc;touch ${pwned()}` })],
    ['a newline and a second variable', () => ({ access_token: 'abc\nNODE_OPTIONS=--require=/tmp/evil.js' })],
    ['a carriage return', () => ({ access_token: 'abc\rdef' })],
    ['an escape sequence', () => ({ access_token: 'abc\u001b]52;c;aGVsbG8=\u0007' })],
    ['a non-ASCII character', () => ({ access_token: 'abc\u2028def' })],
    ['a refresh token with a newline', () => ({ refresh_token: 'r1\nOAUTHCTL_ACCESS_TOKEN=evil' })],
  ])('%s: exit 5, nothing printed, nothing stored', async (_name, values) => {
    fault.route('/token', tokenResponse(values()))
    for (const output of TOKEN_OUTPUTS) {
      const result = await t.run(['token', 'get', '--output', output])
      expect(result.code, result.stderr).toBe(5)
      expect(result.stdout).toBe('')
      expectOneErrorLine(result.stderr, /^error: the token response's (access|refresh|id)_token has characters no token has/)
    }
    expect(await tokenEntries()).toEqual([])
    expect(existsSync(pwned())).toBe(false)
  }, 60_000)

  const tricky = () => [`a';touch\${IFS}${pwned()};'`, `$(touch\${IFS}${pwned()})`, '`id`', 'x"y\\z$HOME', '~root', 'plain-token.with_b64~chars+/==']
  it('a visible-ASCII token with shell syntax in it: --output env evals in bash to exactly the token, and runs nothing', async () => {
    for (const token of tricky()) {
      fault.route('/token', tokenResponse({ access_token: token }))
      const env = await t.run(['token', 'get', '--output', 'env', '--force'])
      expect(env.code, env.stderr).toBe(0)
      expect(evalInBash(env.stdout)).toEqual({ value: token, status: 0 })
      expect(evalInBash(env.stdout, 'OAUTHCTL_TOKEN_TYPE').value).toBe('Bearer')
      expect(existsSync(pwned()), token).toBe(false)
      const header = await t.run(['token', 'get', '--output', 'header'])
      expect(header.stdout).toBe(`Authorization: Bearer ${token}\n`)
      const raw = await t.run(['token', 'get', '--output', 'raw'])
      expect(raw.stdout).toBe(`${token}\n`)
    }
  }, 90_000)

  it('--output env appended to a GitHub-style env file adds exactly its three variables, a plain token unquoted', async () => {
    const envFile = join(t.home, 'github_env')
    for (const token of ['eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_', `a';touch\${IFS}${pwned()};'`]) {
      fault.route('/token', tokenResponse({ access_token: token }))
      const env = await t.run(['token', 'get', '--output', 'env', '--force'])
      expect(env.code, env.stderr).toBe(0)
      await appendFile(envFile, env.stdout)
    }
    // GitHub reads NAME=value per line (the value is everything after the first `=`).
    const lines = (await readFile(envFile, 'utf8')).split('\n').filter(Boolean)
    expect(lines.map((l) => l.slice(0, l.indexOf('=')))).toEqual(['OAUTHCTL_ACCESS_TOKEN', 'OAUTHCTL_TOKEN_TYPE', 'OAUTHCTL_EXPIRES_AT', 'OAUTHCTL_ACCESS_TOKEN', 'OAUTHCTL_TOKEN_TYPE', 'OAUTHCTL_EXPIRES_AT'])
    expect(lines[0]).toBe('OAUTHCTL_ACCESS_TOKEN=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_')
    // The same file sourced by a shell gives the last token back, and runs nothing.
    expect(evalInBash(await readFile(envFile, 'utf8'))).toEqual({ value: `a';touch\${IFS}${pwned()};'`, status: 0 })
    expect(existsSync(pwned())).toBe(false)
  })
})

describe('a planted cached value', () => {
  /** Run the fast path in this process, capturing what it prints. */
  async function fast() {
    let out = ''
    const answered = await fastTokenGet(['token', 'get'], t.env, (text) => {
      out += text
    })
    return { answered, out }
  }

  it.each([
    ['a newline and a second variable', 'cached\nNODE_OPTIONS=--require=/tmp/evil.js'],
    ['a space and a command', 'cached; touch /tmp/x'],
    ['an escape sequence', 'cached\u001b[2J'],
  ])('with %s is never printed, by the fast path or the full command', async (_name, planted) => {
    fault.route('/token', tokenResponse())
    // The full command validates the config first (the fast path trusts only a validated one).
    expect((await t.run(['profiles', 'list'])).code).toBe(0)
    await seedToken(t.configDir, 'h', { access_token: planted, expires_at: Math.floor(Date.now() / 1000) + 3600 })
    expect(await fast()).toEqual({ answered: false, out: '' })
    for (const output of TOKEN_OUTPUTS) {
      const result = await t.run(['token', 'get', '--output', output])
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).not.toContain('cached')
    }
    const plain = await t.run(['token', 'get'])
    expect(plain.stdout).toBe('fresh-access-token-from-fault-server\n')
  })
})

describe('property: any string values in a token response', () => {
  const value = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.stringMatching(/^[\x21-\x7e]{1,40}$/), fc.constantFrom("'", "a'b", '$(id)', '`id`', '\\', '~x', 'a\nb', '%', '!'))
  const response = fc.record(
    { access_token: value, token_type: fc.constantFrom('Bearer', 'DPoP', 'bearer'), refresh_token: value, id_token: value, scope: value, extra: value },
    { requiredKeys: ['access_token', 'token_type'] },
  )

  it('are rejected with exit 5, or every --output keeps its syntax (raw and header one line, env evals to the value, json parses to it)', () => {
    fc.assert(
      fc.property(response, (body) => {
        let token
        try {
          token = toStoredToken(body as TokenResponse, 'client_credentials', { scopes: [] }, 1_700_000_000, 'binding')
        } catch (err) {
          expect(err).toBeInstanceOf(CliError)
          expect((err as CliError).exitCode).toBe(5)
          return
        }
        const raw = renderToken(token, 'raw')
        expect(raw).toBe(`${body.access_token}\n`)
        expect(raw.split(/[\r\n]/)).toHaveLength(2)
        const header = renderToken(token, 'header')
        expect(header.split(/[\r\n]/)).toEqual([`Authorization: ${token.token_type} ${body.access_token}`, ''])
        expect(JSON.parse(renderToken(token, 'json'))).toEqual(JSON.parse(JSON.stringify(tokenJson(token))))
        expect(JSON.parse(renderToken(token, 'json')).accessToken).toBe(body.access_token)
        const env = renderToken(token, 'env')
        expect(env.split('\n')).toHaveLength(4)
        expect(evalInBash(env)).toEqual({ value: body.access_token, status: 0 })
      }),
      { numRuns: 200 },
    )
  }, 120_000)
})
