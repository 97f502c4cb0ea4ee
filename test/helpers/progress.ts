import type { Progress, WaitOptions } from '../../src/lib/output/progress.js'

export interface RecordedWait {
  label: string
  timeLeftMs?: number
  /** The first text, then every update. */
  texts: string[]
  stopped: boolean
}

/** A Progress that records its waits instead of drawing them: what a use case showed, and that it stopped. */
export function recordingProgress(): Progress & { waits: RecordedWait[]; open: () => RecordedWait[] } {
  const waits: RecordedWait[] = []
  return {
    waits,
    open: () => waits.filter((w) => !w.stopped),
    start(label: string, options: WaitOptions = {}) {
      const wait: RecordedWait = { label, timeLeftMs: options.timeLeftMs, texts: options.text === undefined ? [] : [options.text], stopped: false }
      waits.push(wait)
      return {
        update: (text) => void wait.texts.push(text),
        stop: () => {
          wait.stopped = true
        },
      }
    },
  }
}
