import { describe, expect, it } from 'vitest'
import { shellWordsAsTyped, wrapCommand } from '../../src/cli/help.js'

describe('wrapCommand(): example commands broken only between shell words', () => {
  it('keeps quoted strings, $(…) and escaped blanks whole', () => {
    expect(shellWordsAsTyped(`a 'b c' "d $(e f) g" $(h 'i j') k\\ l`)).toEqual(['a', "'b c'", '"d $(e f) g"', "$(h 'i j')", 'k\\ l'])
  })

  it('fills lines up to the width, and gives a longer word a line of its own, unbroken', () => {
    expect(wrapCommand('oauthctl token get --scope a --scope b', 20)).toEqual(['oauthctl token get', '--scope a --scope b'])
    const json = `'[{"type":"account_information","actions":["read_balances"]}]'`
    expect(wrapCommand(`oauthctl token get --authorization-details ${json}`, 30)).toEqual(['oauthctl token get', '--authorization-details', json])
    expect(wrapCommand('a  b', 10)).toEqual(['a b'])
  })
})
