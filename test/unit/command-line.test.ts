import { describe, expect, it } from 'vitest'
import { closest, editDistance, flagShown, suggestCommand } from '../../src/cli/command-line.js'

describe('reading a mistyped command line', () => {
  it('counts a swap of two adjacent letters as one edit', () => {
    expect(editDistance('tokne', 'token')).toBe(1)
    expect(editDistance('scpoe', 'scope')).toBe(1)
    expect(editDistance('', 'abc')).toBe(3)
  })

  it('suggests the command covering the most words, and nothing for what is not near any', () => {
    const commands = ['token', 'token get', 'token refresh', 'profiles', 'profiles add', 'login']
    expect(suggestCommand(['tokne', 'get'], commands)).toBe('token get')
    expect(suggestCommand(['token', 'gte'], commands)).toBe('token get')
    expect(suggestCommand(['profilse', 'add', 'work'], commands)).toBe('profiles add')
    expect(suggestCommand(['lgoin'], commands)).toBe('login')
    expect(suggestCommand(['deploy'], commands)).toBeUndefined()
  })

  it('suggests the nearest flag only when it is near', () => {
    expect(closest('--scpoe', ['--scope', '--audience', '-p'])).toBe('--scope')
    expect(closest('--zzzzzz', ['--scope', '--audience'])).toBeUndefined()
  })

  it('shows back only what reads as a flag name', () => {
    expect(flagShown('--scpoe')).toBe('--scpoe')
    expect(flagShown('-x')).toBe('-x')
    for (const value of ['-SUPERSECRET3xyz', '--Secret', '-abc', '--a_b', `--${'a'.repeat(60)}`, '-eyJhbGciOiJ9.x']) {
      expect(flagShown(value)).toBe(`(an argument of ${value.length} characters starting with "-")`)
    }
  })
})
