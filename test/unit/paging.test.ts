import { describe, expect, it } from 'vitest'
import { mapConcurrent } from '../../src/lib/admin/paging.js'

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('mapConcurrent', () => {
  it('keeps at most N calls in flight, uses all N, and returns results in the items’ order', async () => {
    let inFlight = 0
    let most = 0
    const items = Array.from({ length: 23 }, (_, i) => i)
    const results = await mapConcurrent(items, 4, async (i) => {
      most = Math.max(most, ++inFlight)
      await tick((i * 7) % 5) // finish out of order
      inFlight--
      return i * 10
    })
    expect(results).toEqual(items.map((i) => i * 10))
    expect(most).toBe(4)
  })

  it('rejects with the first failure, and starts nothing new after it', async () => {
    const started: number[] = []
    const failure = mapConcurrent([0, 1, 2, 3, 4, 5, 6, 7], 2, async (i) => {
      started.push(i)
      await tick(1)
      if (i === 1) throw new Error('page 1 failed')
      return i
    })
    await expect(failure).rejects.toThrow('page 1 failed')
    await tick(20)
    expect(started.length).toBeLessThan(8)
  })

  it('an empty list makes no call', async () => {
    expect(await mapConcurrent([], 4, async () => 1)).toEqual([])
  })
})
