import { describe, expect, it } from 'vitest'
import { fetchConcurrent } from '../../src/lib/admin/paging.js'

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('fetchConcurrent', () => {
  it('keeps at most N fetches in flight, uses all N, and returns results in the items’ order', async () => {
    let inFlight = 0
    let most = 0
    const items = Array.from({ length: 23 }, (_, i) => i)
    const fetch = async (i: number) => {
      most = Math.max(most, ++inFlight)
      await tick((i * 7) % 5) // finish out of order
      inFlight--
      return i * 10
    }
    const results = await fetchConcurrent(items, 4, fetch, (fetched, item) => `${item}:${fetched}`)
    expect(results).toEqual(items.map((i) => `${i}:${i * 10}`))
    expect(most).toBe(4)
  })

  it('sends the next fetch before it processes what came back', async () => {
    const events: string[] = []
    const fetch = async (i: number) => {
      events.push(`fetch ${i}`)
      await tick(1)
      return i
    }
    await fetchConcurrent([0, 1, 2], 1, fetch, (i) => events.push(`process ${i}`))
    expect(events).toEqual(['fetch 0', 'fetch 1', 'process 0', 'fetch 2', 'process 1', 'process 2'])
  })

  it('rejects with the first failed fetch, and starts nothing new after it', async () => {
    const started: number[] = []
    const fetch = async (i: number) => {
      started.push(i)
      await tick(1)
      if (i === 1) throw new Error('page 1 failed')
      return i
    }
    await expect(fetchConcurrent([0, 1, 2, 3, 4, 5, 6, 7], 2, fetch, (i) => i)).rejects.toThrow('page 1 failed')
    await tick(20)
    expect(started.length).toBeLessThan(8)
  })

  it('rejects with the first failed consume (a page that does not validate), and starts nothing new after it', async () => {
    const started: number[] = []
    const fetch = async (i: number) => {
      started.push(i)
      await tick(1)
      return i
    }
    const consume = (i: number) => {
      if (i === 2) throw new Error('page 2 is not a list')
      return i
    }
    await expect(fetchConcurrent([0, 1, 2, 3, 4, 5, 6, 7], 2, fetch, consume)).rejects.toThrow('page 2 is not a list')
    await tick(20)
    expect(started.length).toBeLessThan(8)
  })

  it('an empty list makes no call', async () => {
    let calls = 0
    const fetch = async () => ++calls
    expect(await fetchConcurrent([], 4, fetch, (n) => n)).toEqual([])
    expect(calls).toBe(0)
  })
})
