import { describe, expect, it, vi } from 'vitest'
import { doctor } from '../../src/lib/doctor.js'

// As is-wsl answers inside WSL: the one WSL detection there is.
vi.mock('is-wsl', () => ({ default: true }))

describe('doctor on WSL', () => {
  it('reports WSL, and says a missing D-Bus session is WSL\'s (on Linux)', async () => {
    const report = await doctor('/nonexistent/oauthctl', { kind: 'file', source: 'flag' }, {})
    expect(report.wsl).toBe(true)
    if (process.platform === 'linux') expect(report.keychain).toMatchObject({ available: false, reason: 'WSL has no D-Bus session, so no Secret Service' })
  })
})
