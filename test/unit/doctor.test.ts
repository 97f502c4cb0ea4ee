import { describe, expect, it, vi } from 'vitest'
import { diagnoseKeychain } from '../../src/lib/use-cases/doctor.js'

// As is-wsl answers inside WSL: the one WSL detection there is.
vi.mock('is-wsl', () => ({ default: true }))

describe('doctor on WSL', () => {
  it.runIf(process.platform === 'linux')("says a missing D-Bus session is WSL's", async () => {
    expect(await diagnoseKeychain({})).toMatchObject({ available: false, reason: 'WSL has no D-Bus session, so no Secret Service' })
  })
})
