import { execFileSync } from 'node:child_process'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GENESYS_REGIONS } from '../../src/lib/vendors/genesys/preset.js'
import { BIN, type Sandboxed, isolated, runProcess } from '../helpers/cli.js'

/**
 * The completion scripts as the shells run them: `oauthctl` on the PATH (a shim for bin/run.js), an
 * isolated HOME with two profiles, and the script loaded the way its install line says.
 */
let t: Sandboxed
let env: Record<string, string>

const which = (name: string) => {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}
const FISH = which('fish')
const ZSH = which('zsh')

beforeAll(async () => {
  t = await isolated()
  for (const name of ['work', 'ci']) {
    const added = await t.run(['profiles', 'add', name, '--token-endpoint', 'https://idp.example.com/token', '--client-id', `${name}-client`])
    expect(added.code, added.stderr).toBe(0)
  }
  const bin = join(t.home, 'bin')
  await mkdir(bin)
  await writeFile(join(bin, 'oauthctl'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`)
  await chmod(join(bin, 'oauthctl'), 0o755)
  env = { ...t.env, PATH: `${bin}:${t.env.PATH ?? ''}` }
  // Each script once, as `oauthctl completion SHELL > FILE` would save it.
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await t.run(['completion', shell])
    expect(r.code, r.stderr).toBe(0)
    await writeFile(join(t.home, `completion.${shell}`), r.stdout)
  }
}, 60_000)
const scriptFile = (shell: string) => join(t.home, `completion.${shell}`)

afterAll(() => t?.cleanup())

/**
 * bash's own completion call: COMP_WORDS as readline splits the line (`--output=` is three words:
 * `--output`, `=`, and what follows), COMP_CWORD the last; then _oauthctl, and COMPREPLY printed.
 * compopt works only while bash completes: here it prints what it was asked, `[compopt -o default]`.
 */
async function bashComplete(words: string[], load = 'source "$SCRIPT"'): Promise<string[]> {
  const script = `compopt() { echo "[compopt $*]"; }; ${load} || exit 9; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=\${#COMP_LINE}; _oauthctl; printf "%s\\n" "\${COMPREPLY[@]}"`
  const r = await runProcess('bash', ['--norc', '--noprofile', '-c', script, 'bash', 'oauthctl', ...words], { env: { ...env, SCRIPT: scriptFile('bash') } })
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return r.stdout.split('\n').filter(Boolean)
}

describe('bash completion (a real bash)', () => {
  it('completes profile names after -p from the config file', async () => {
    // Loaded as the install line says; the other cases source the same script saved to a file.
    expect(await bashComplete(['token', 'get', '-p', ''], 'source <(oauthctl completion bash)')).toEqual(['ci', 'work'])
    expect(await bashComplete(['profiles', 'use', 'w'])).toEqual(['work'])
    expect(await bashComplete(['profiles', 'remove', ''])).toEqual(['ci', 'work'])
    expect(await bashComplete(['profiles', 'show', 'c'])).toEqual(['ci'])
  })

  it('completes commands, subcommands and the flags of the command typed', async () => {
    expect(await bashComplete(['tok'])).toEqual(['token'])
    expect(await bashComplete(['token', ''])).toEqual(['generate', 'get', 'inspect', 'refresh', 'revoke'])
    expect(await bashComplete(['login', '--fl'])).toEqual(['--flow'])
    expect(await bashComplete(['token', 'get', '--outp'])).toEqual(['--output'])
  })

  it('completes the values of --output, --grant, --flow, --storage, --provider and --region', async () => {
    expect(await bashComplete(['token', 'get', '--output', ''])).toEqual(['raw', 'json', 'header', 'env', 'exec-credential'])
    expect(await bashComplete(['token', 'get', '--grant', 'c'])).toEqual(['client_credentials'])
    expect(await bashComplete(['login', '--flow', 'd'])).toEqual(['device'])
    expect(await bashComplete(['status', '--storage', 'f'])).toEqual(['file'])
    expect(await bashComplete(['profiles', 'add', 'x', '--provider', 'gen'])).toEqual(['generic', 'genesys'])
    expect(await bashComplete(['profiles', 'add', 'x', '--provider', 'genesys', '--region', ''])).toEqual([...GENESYS_REGIONS])
  })

  it('completes a --flag=value word as bash splits it, replacing only the part after "="', async () => {
    expect(await bashComplete(['token', 'get', '--output', '=', ''])).toEqual(['raw', 'json', 'header', 'env', 'exec-credential'])
    expect(await bashComplete(['token', 'get', '--output', '=', 'j'])).toEqual(['json'])
    expect(await bashComplete(['token', 'get', '--profile', '=', 'c'])).toEqual(['ci'])
  })

  it('leaves a word it knows nothing about to bash (no candidates, default completion asked for)', async () => {
    expect(await bashComplete(['token', 'inspect', ''])).toEqual(['[compopt -o default]'])
    expect(await bashComplete(['exec', '--', 'cur'])).toEqual(['[compopt -o default]'])
    expect(await bashComplete(['token', 'get', '--scope', ''])).toEqual(['[compopt -o default]'])
  })

  it('`oauthctl __complete` is fast enough for every TAB, and reads no secret storage', async () => {
    // OAUTHCTL_STORAGE=keychain: a keychain access would fail or hang here; completion must not touch it.
    const r = await runProcess(process.execPath, [BIN, '__complete', '--', 'token', 'get', '-p', ''], { env: { ...env, OAUTHCTL_STORAGE: 'keychain', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' } })
    expect(r.stdout).toBe('ci\nwork\n:done\n')
    expect(r.stderr).toBe('')
    expect(r.ms).toBeLessThan(5_000)
  })
})

describe('oauthctl completion', () => {
  it('refuses a shell it has no script for (exit 2)', async () => {
    const r = await t.run(['completion', 'powershell'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/bash, zsh, fish/)
    expect(r.stdout).toBe('')
  })

  it('zsh: registers _oauthctl for oauthctl, loads as a file in $fpath or by source, and asks __complete for the words up to the cursor', async () => {
    const r = await t.run(['completion', 'zsh'])
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n')[0]).toBe('#compdef oauthctl')
    expect(r.stdout).toContain('command oauthctl __complete -- "${(@)words[2,CURRENT]}"')
    expect(r.stdout).toContain('compdef _oauthctl oauthctl')
    expect(r.stdout).toMatch(/\(:default\)[^\n]*\n[\s\S]*_default/)
    if (ZSH) {
      // Where zsh is installed (CI), it must at least parse.
      const parsed = await runProcess(ZSH, ['-n', '-c', r.stdout], { env })
      expect(parsed.stderr).toBe('')
      expect(parsed.code).toBe(0)
    }
  })

  it('fish: a completion for oauthctl that asks __complete, files only on :default', async () => {
    const r = await t.run(['completion', 'fish'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("complete -c oauthctl -f -a '(__oauthctl_complete)'")
    expect(r.stdout).toContain('command oauthctl __complete -- $words')
    expect(r.stdout).toMatch(/case :default\n\s+__fish_complete_path/)
  })
})

describe.runIf(ZSH)('zsh completion (a real zsh, where installed; CI installs it)', () => {
  /**
   * _oauthctl called as compsys calls it (`words`, `CURRENT`), with compsys's _describe and
   * _default replaced by functions that print what they were given; compdef records the binding.
   */
  const zshComplete = async (words: string[]) => {
    const script = [
      'compdef() { print -r -- "[compdef $*]" }',
      '_describe() { print -rl -- "${(@P)${@[-1]}}" }',
      '_default() { print -r -- "[_default]" }',
      'source "$SCRIPT" || exit 9',
      'words=(oauthctl "$@"); CURRENT=$#words',
      '_oauthctl',
    ].join('\n')
    const r = await runProcess(ZSH as string, ['-f', '-c', script, 'zsh', ...words], { env: { ...env, SCRIPT: scriptFile('zsh') } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    return r.stdout.split('\n').filter(Boolean)
  }

  it('binds _oauthctl, offers profiles, values and flags with their description, leaves files to _default', async () => {
    expect(await zshComplete(['token', 'get', '-p', ''])).toEqual(['[compdef _oauthctl oauthctl]', 'ci', 'work'])
    expect(await zshComplete(['token', 'get', '--output=j'])).toEqual(['[compdef _oauthctl oauthctl]', '--output=json'])
    expect(await zshComplete(['login', '--fl'])).toEqual(['[compdef _oauthctl oauthctl]', '--flow:How to log in: code, implicit, device, or manual (paste the redirected URL back).'])
    expect(await zshComplete(['token', 'inspect', ''])).toEqual(['[compdef _oauthctl oauthctl]', '[_default]'])
  })
})

describe.runIf(FISH)('fish completion (a real fish, where installed)', () => {
  const fishComplete = async (line: string) => {
    const r = await runProcess(FISH as string, ['--no-config', '-c', 'source $SCRIPT; complete -C $argv[1]', line], { env: { ...env, SCRIPT: scriptFile('fish') } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    return r.stdout.split('\n').filter(Boolean)
  }

  it('completes profiles, enum values and subcommands, with descriptions', async () => {
    expect(await fishComplete('oauthctl token get -p ')).toEqual(['ci', 'work'])
    expect(await fishComplete('oauthctl token get --output=j')).toEqual(['--output=json'])
    expect(await fishComplete('oauthctl token g')).toEqual(['generate\tCreate an OAuth client and a token for it in one step (Nutanix Prism Central).', 'get\tPrint a valid access token (cached, refreshed or newly granted).'])
  })

  it('completes files where it knows nothing about the word', async () => {
    await writeFile(join(t.home, 'token-file.txt'), 'x')
    expect(await fishComplete(`oauthctl token inspect ${t.home}/token-f`)).toEqual([`${t.home}/token-file.txt`])
  })
})
