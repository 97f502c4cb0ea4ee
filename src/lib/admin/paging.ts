import { during, type Progress } from '../output/progress.js'

/**
 * A listing as one wait on the progress line, counting what arrives: `listing clients: page 3, 150 so far`.
 * `list` calls `onPage` with the number of items each page brought.
 */
export function countingPages<T>(progress: Progress, label: string, list: (onPage: (items: number) => void) => Promise<T>): Promise<T> {
  return during(progress, label, (wait) => {
    let pages = 0
    let items = 0
    return list((count) => {
      pages++
      items += count
      wait.update(`page ${pages}, ${items} so far`)
    })
  })
}

/**
 * `fetch` over items with at most `concurrency` fetches in flight, then `consume` on each result;
 * the results in the items' order. A fetch's slot passes to the next item as soon as the fetch
 * resolves, before its result is consumed: validating and mapping a page of clients is CPU work,
 * and meanwhile the server should still have `concurrency` requests to answer. The first failure
 * (of a fetch or a consume) rejects, and no new fetch starts after it.
 */
export async function fetchConcurrent<T, F, R>(
  items: readonly T[],
  concurrency: number,
  fetch: (item: T) => Promise<F>,
  consume: (fetched: F, item: T) => R,
): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  let failed = false
  const start = () => {
    if (failed || next >= items.length) return undefined
    const i = next++
    return { i, fetched: fetch(items[i] as T) }
  }
  const worker = async () => {
    let pending = start()
    try {
      while (pending) {
        const fetched = await pending.fetched
        const { i } = pending
        pending = start()
        // The next request is sent on microtasks: let it leave before this CPU work begins.
        await new Promise<void>((resolve) => setImmediate(resolve))
        results[i] = consume(fetched, items[i] as T)
      }
    } catch (err) {
      failed = true
      // Already on its way: its own failure, if any, is not the one reported.
      pending?.fetched.catch(() => undefined)
      throw err
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}
