import { describe, expect, it } from 'vitest'
import { splitCommand } from '../../src/lib/use-cases/deliver-secret.js'

describe('--deliver: the command line as argv, with no shell', () => {
  it('splits on blanks and honours single quotes, double quotes and backslashes, expanding nothing', () => {
    expect(splitCommand('vault kv put secret/app client_secret=-')).toEqual(['vault', 'kv', 'put', 'secret/app', 'client_secret=-'])
    expect(splitCommand(`  gh  secret set 'CLIENT SECRET' --repo "o/r"  `)).toEqual(['gh', 'secret', 'set', 'CLIENT SECRET', '--repo', 'o/r'])
    expect(splitCommand(`sh -c 'kubectl apply -f - | tee "$LOG"'`)).toEqual(['sh', '-c', 'kubectl apply -f - | tee "$LOG"'])
    expect(splitCommand(`a\\ b "x\\"y\\z" '' $HOME`)).toEqual(['a b', 'x"y\\z', '', '$HOME'])
  })

  it('refuses unquoted shell operators, unclosed quotes and an empty command (exit 2)', () => {
    for (const [line, message] of [
      ['vault kv put x=- > /tmp/log', '--deliver runs CMD without a shell, so > cannot be used there'],
      ['a && b', '--deliver runs CMD without a shell, so & cannot be used there'],
      ['a; b', '--deliver runs CMD without a shell, so ; cannot be used there'],
      ["gh secret set 'X", "--deliver: unclosed '"],
      ['gh "X', '--deliver: unclosed "'],
      ['gh \\', '--deliver: ends with a backslash'],
      ['   ', '--deliver: needs a command'],
    ] as const) {
      expect(() => splitCommand(line), line).toThrow(expect.objectContaining({ kind: 'usage', message: expect.stringContaining(message) }))
    }
  })
})
