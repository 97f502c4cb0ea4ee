import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sanitizeInline, sanitizeText } from '../../src/lib/output/sanitize.js'

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

describe('sanitizeText / sanitizeInline', () => {
  it('no control character survives; newline and tab survive sanitizeText only', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(sanitizeText(s)).not.toMatch(CONTROL)
        expect(sanitizeInline(s)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
        expect(sanitizeText(s).split('\n').length).toBe(s.split('\n').length)
      }),
    )
  })

  it('text without controls passes unchanged; controls are shown by code', () => {
    fc.assert(fc.property(fc.string().filter((s) => !CONTROL.test(s)), (s) => sanitizeText(s) === s))
    expect(sanitizeText('a\u001b]52;c;eA==\u0007b\u009b1m\r\u202e\tc\nd')).toBe('a\\x1b]52;c;eA==\\x07b\\u009b1m\\r\\u202e\tc\nd')
    expect(sanitizeInline('a\tb\nc')).toBe('a\\tb\\nc')
  })
})
