import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Sandbox } from '../../src/lib/sandbox/server.js'
import type { CliResult, Sandboxed } from '../helpers/cli.js'
import { useIsolated, useSandbox } from '../helpers/lifecycle.js'

let sandbox: Sandbox
let t: Sandboxed

useSandbox((s) => (sandbox = s))
useIsolated((i) => (t = i))

interface Row {
  /** What the user typed (after `oauthctl`). */
  argv: () => string[]
  /** Anything to set up first (profiles), and stdin. */
  setup?: () => Promise<unknown>
  stdin?: string
  code: number
  /** Lines (or patterns) stderr must hold; stdout must be empty unless `stdout` is given. */
  stderr?: (string | RegExp)[]
  stdout?: (string | RegExp)[]
  /** Text that must appear nowhere in the output. */
  never?: string[]
  check?: (r: CliResult) => void
}

const addConfidential = (secret: string) =>
  t.run(['profiles', 'add', 'ci', '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin'], { stdin: secret })

const help = (title: string): Pick<Row, 'code' | 'stdout' | 'check'> => ({
  code: 0,
  stdout: [title, /^USAGE$/m],
  check: (r) => expect(r.stderr).toBe(''),
})

/** SPEC.md's grammar, one row per input (issue 13 §5, issue 14 row 10): every one through bin/run.js. */
const rows: Record<string, Row> = {
  'a flag with no value': { argv: () => ['profiles', 'add', 'y', '--issuer'], code: 2, stderr: ['error: --issuer needs a value'] },
  'a bad number': { argv: () => ['token', 'get', '--min-ttl', 'abc'], code: 2, stderr: ['error: --min-ttl must be a number of seconds', /^hint: usage: oauthctl token get \[flags\]/m], never: ['abc'] },
  'a bad number for an admin flag': { argv: () => ['clients', 'create', '--name', 'x', '--token-ttl', 'soon'], code: 2, stderr: ['error: --token-ttl must be a number of seconds, at least 1'], never: ['soon'] },
  'a bad --deliver-timeout': { argv: () => ['clients', 'create', '--name', 'x', '--deliver', 'true', '--deliver-timeout', '0'], code: 2, stderr: ['error: --deliver-timeout must be a number of seconds, at least 1'] },
  'a number out of range': { argv: () => ['login', '--port', '99999'], code: 2, stderr: ['error: --port must be a port number, 1 to 65535'], never: ['99999'] },
  'a missing argument': { argv: () => ['profiles', 'add'], code: 2, stderr: ['error: missing argument NAME', 'hint: usage: oauthctl profiles add NAME [flags] (more with --help)'] },
  'a missing argument (clients get)': { argv: () => ['clients', 'get'], code: 2, stderr: ['error: missing argument ID', /^hint: usage: oauthctl clients get ID \[flags\]/m] },
  'an unknown command': { argv: () => ['tokne', 'get'], code: 2, stderr: ['error: unknown command "tokne get"', /^hint: did you mean "token get"\?/m] },
  'an unknown subcommand': { argv: () => ['token', 'gte'], code: 2, stderr: ['error: unknown command "token gte"', /^hint: did you mean "token get"\?/m] },
  'an unknown command with --json': {
    argv: () => ['tokne', 'get', '--json'],
    code: 2,
    check: (r) => expect(JSON.parse(r.stderr)).toEqual({ error: { code: 'unknown_command', message: 'unknown command "tokne get"', status: 2, hint: expect.stringContaining('did you mean "token get"?') } }),
  },
  'a pasted value as a command is not echoed': { argv: () => ['eyJhbGciOiJSUzI1NiJ9.SECRETPAYLOAD'], code: 2, stderr: ['error: unknown command "(34 characters)"'], never: ['SECRETPAYLOAD'] },
  'oauthctl help': { argv: () => ['help'], ...help('OAuth 2.0 and OpenID Connect from the command line') },
  'oauthctl -h': { argv: () => ['-h'], ...help('OAuth 2.0 and OpenID Connect from the command line') },
  'token get -h': { argv: () => ['token', 'get', '-h'], ...help('Print a valid access token') },
  'oauthctl help token get': { argv: () => ['help', 'token', 'get'], ...help('Print a valid access token') },
  'an unknown flag that is a typo': { argv: () => ['token', 'get', '--scpoe', 'api:read'], code: 2, stderr: ['error: unknown flag --scpoe', 'hint: did you mean --scope? (see --help)'] },
  'an unknown flag that may be a secret': {
    argv: () => ['token', 'get', '-SUPERSECRET3xyz'],
    code: 2,
    stderr: ['error: unknown flag (an argument of 16 characters starting with "-")'],
    never: ['SUPERSECRET', 'did you mean'],
  },
  'a wrong client secret': {
    setup: () => addConfidential('not-the-secret'),
    argv: () => ['token', 'get'],
    code: 4,
    // demo-confidential has a "-", which form encoding changes: the Basic-encoding hint follows the secret's.
    stderr: [/^error: invalid_client/m, /^hint: check the client id and secret: store the right secret with printf %s "\$SECRET" \| oauthctl profiles add ci --client-secret-stdin; if they are right, .*--basic-encoding raw/m],
    never: ['not-the-secret'],
  },
  'exec of a command that does not exist': {
    setup: () => addConfidential('demo-confidential-secret'),
    argv: () => ['exec', '--', 'oauthctl-no-such-command'],
    code: 127,
    stderr: ['error: cannot run oauthctl-no-such-command: command not found'],
  },
  'exec of a file that is not executable': {
    setup: async () => {
      await addConfidential('demo-confidential-secret')
      await writeFile(join(t.home, 'script.sh'), 'echo hi\n')
      await chmod(join(t.home, 'script.sh'), 0o644)
    },
    argv: () => ['exec', '--', join(t.home, 'script.sh')],
    code: 126,
    stderr: [/^error: cannot run \/.*\/script\.sh: permission denied$/m],
  },
}

const lines = (text: string) => text.split('\n')

describe('the command line explains itself', () => {
  it.each(Object.entries(rows))('%s', async (_name, row) => {
    await row.setup?.()
    const r = await t.run(row.argv(), { stdin: row.stdin })
    expect(r.code, r.stderr).toBe(row.code)
    for (const want of row.stderr ?? []) {
      if (typeof want === 'string') expect(lines(r.stderr)).toContain(want)
      else expect(r.stderr).toMatch(want)
    }
    if (row.stdout) for (const want of row.stdout) expect(r.stdout).toMatch(want)
    else expect(r.stdout).toBe('')
    for (const secret of row.never ?? []) expect(r.stdout + r.stderr).not.toContain(secret)
    expect(r.stderr).not.toMatch(/internal error|this is a bug|›/)
    row.check?.(r)
  })
})
