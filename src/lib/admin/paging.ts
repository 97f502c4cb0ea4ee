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

/** fn over items with at most `concurrency` calls in flight; results in the items' order. The first failure rejects, and no new call starts after it. */
export async function mapConcurrent<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  let failed = false
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++
      try {
        results[i] = await fn(items[i] as T)
      } catch (err) {
        failed = true
        throw err
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}
