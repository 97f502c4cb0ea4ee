import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { countingPages } from '../../src/lib/admin/paging.js'
import { ASCII_FRAMES, clock, during, NO_PROGRESS, TerminalProgress } from '../../src/lib/output/progress.js'
import { registerSecret } from '../../src/lib/redact.js'
import { recordingProgress } from '../helpers/progress.js'

/** A terminal's stderr: what was written, and the one line it shows now (as `\r` redraws it). */
function fakeStream(columns = 80) {
  const writes: string[] = []
  return {
    writes,
    columns,
    write: (text: string) => void writes.push(text),
    /** The line as the terminal shows it: `\r` goes back to its start, what follows overwrites. */
    line: () => {
      let cells: string[] = []
      let column = 0
      for (const c of writes.join('')) {
        if (c === '\r') column = 0
        else if (c === '\n') [cells, column] = [[], 0]
        else cells[column++] = c
      }
      return cells.join('').trimEnd()
    },
  }
}

beforeEach(() => {
  vi.useFakeTimers()
  vi.setSystemTime(0)
})
afterEach(() => {
  vi.useRealTimers()
})

describe('the terminal progress line', () => {
  it('shows nothing for a wait under a second; after it, a spinner frame and the label, redrawn with \\r', () => {
    const stream = fakeStream()
    const progress = new TerminalProgress(stream)
    const wait = progress.start('listing clients')
    vi.advanceTimersByTime(900)
    expect(stream.writes).toEqual([])
    vi.advanceTimersByTime(200)
    expect(stream.writes.length).toBeGreaterThan(0)
    expect(stream.writes.every((w) => w.startsWith('\r'))).toBe(true)
    expect(stream.line()).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] listing clients$/)
    wait.update('page 3, 150 so far')
    vi.advanceTimersByTime(100)
    expect(stream.line()).toMatch(/^. listing clients: page 3, 150 so far$/)
    wait.stop()
  })

  it('is blanked when the last wait stops, and writes nothing after', () => {
    const stream = fakeStream()
    const progress = new TerminalProgress(stream)
    const wait = progress.start('waiting for approval')
    vi.advanceTimersByTime(1500)
    wait.stop()
    expect(stream.writes.at(-1)).toMatch(/^\r +\r$/)
    expect(stream.line()).toBe('')
    const count = stream.writes.length
    vi.advanceTimersByTime(5000)
    wait.stop()
    expect(stream.writes).toHaveLength(count)
  })

  it('a wait that ends within the second leaves the terminal untouched', () => {
    const stream = fakeStream()
    const progress = new TerminalProgress(stream)
    progress.start('retrying token endpoint', { timeLeftMs: 250 }).stop()
    vi.advanceTimersByTime(5000)
    expect(stream.writes).toEqual([])
  })

  it('counts the time left down', () => {
    const stream = fakeStream()
    const progress = new TerminalProgress(stream)
    const wait = progress.start('waiting for the login in the browser', { timeLeftMs: 300_000 })
    vi.advanceTimersByTime(1000)
    expect(stream.line()).toMatch(/waiting for the login in the browser \(4:59 left\)$/)
    vi.advanceTimersByTime(61_000)
    expect(stream.line()).toMatch(/\(3:58 left\)$/)
    wait.stop()
  })

  it('shows the innermost wait, and the outer one again when it stops; overlapping waits each stop only themselves', () => {
    const stream = fakeStream()
    const progress = new TerminalProgress(stream)
    const paging = progress.start('listing clients', { text: 'page 2, 50 so far' })
    vi.advanceTimersByTime(1000)
    const retry = progress.start('retrying Genesys Cloud', { text: 'status 503; attempt 2 of 3', timeLeftMs: 4000 })
    const other = progress.start('retrying Genesys Cloud', { text: 'status 502; attempt 2 of 3' })
    vi.advanceTimersByTime(100)
    expect(stream.line()).toContain('status 502')
    retry.stop()
    vi.advanceTimersByTime(100)
    expect(stream.line()).toContain('status 502')
    other.stop()
    vi.advanceTimersByTime(100)
    expect(stream.line()).toMatch(/listing clients: page 2, 50 so far$/)
    paging.stop()
    expect(stream.line()).toBe('')
  })

  it('never shows a secret or a control character from a server: redacted, escaped', () => {
    registerSecret('s3cr3t-value-in-a-url')
    const stream = fakeStream()
    const progress = new TerminalProgress(stream)
    const wait = progress.start('retrying api.example.test', { text: 'status 503 \x1b]52;c;aGk=\x07 s3cr3t-value-in-a-url' })
    vi.advanceTimersByTime(1000)
    const written = stream.writes.join('')
    expect(written).not.toContain('s3cr3t-value-in-a-url')
    expect(written).toContain('[REDACTED]')
    expect(written).not.toContain('\x1b')
    expect(written).toContain('\\x1b]52')
    expect(written.replaceAll('\r', '')).not.toMatch(/[\x00-\x1f]/)
    wait.stop()
  })

  it('fits the terminal: a long line is cut with … one column short of the width (no wrap that \\r cannot take back)', () => {
    const stream = fakeStream(40)
    const progress = new TerminalProgress(stream)
    const wait = progress.start('x'.repeat(100))
    vi.advanceTimersByTime(1000)
    expect([...stream.line()]).toHaveLength(39)
    expect(stream.line().endsWith('…')).toBe(true)
    wait.stop()
  })

  it('other stderr output takes the line away first and brings it back after', () => {
    const stream = fakeStream()
    const progress = new TerminalProgress(stream)
    const wait = progress.start('listing clients')
    vi.advanceTimersByTime(1000)
    progress.above(() => stream.write('warning: something\n'))
    const i = stream.writes.indexOf('warning: something\n')
    expect(stream.writes[i - 1]).toMatch(/^\r +\r$/)
    expect(stream.writes[i + 1]).toMatch(/^\r. listing clients/)
    wait.stop()
  })

  it('stays away while a prompt is open during a wait (a password the listing needs), and comes back after', async () => {
    const stream = fakeStream()
    const progress = new TerminalProgress(stream)
    const wait = progress.start('listing clients')
    vi.advanceTimersByTime(1000)
    let answer: (value: string) => void = () => undefined
    const prompted = progress.paused(() => new Promise<string>((resolve) => (answer = resolve)))
    expect(stream.line()).toBe('')
    const count = stream.writes.length
    vi.advanceTimersByTime(5000)
    expect(stream.writes).toHaveLength(count)
    answer('typed')
    expect(await prompted).toBe('typed')
    vi.advanceTimersByTime(100)
    expect(stream.line()).toMatch(/listing clients$/)
    wait.stop()
  })

  it('ASCII frames for a dumb terminal', () => {
    const stream = fakeStream()
    const wait = new TerminalProgress(stream, { frames: ASCII_FRAMES }).start('waiting')
    vi.advanceTimersByTime(1000)
    expect(stream.line()).toMatch(/^[-\\|/] waiting$/)
    wait.stop()
  })

  it('close() takes the line away whatever is still open, and stops the timer', () => {
    const stream = fakeStream()
    const progress = new TerminalProgress(stream)
    progress.start('a')
    progress.start('b')
    vi.advanceTimersByTime(1000)
    progress.close()
    expect(stream.line()).toBe('')
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('during', () => {
  it('stops the wait when the work fails', async () => {
    const progress = recordingProgress()
    await expect(during(progress, 'x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(progress.open()).toEqual([])
  })

  it('NO_PROGRESS does nothing and returns the work', async () => {
    expect(await during(NO_PROGRESS, 'x', async (w) => (w.update('y'), 42))).toBe(42)
  })
})

describe('countingPages', () => {
  it('counts the pages and items a listing reports, then stops', async () => {
    const progress = recordingProgress()
    const result = await countingPages(progress, 'listing clients', async (onPage) => {
      onPage(25)
      onPage(25)
      onPage(7)
      return 'done'
    })
    expect(result).toBe('done')
    expect(progress.waits).toEqual([{ label: 'listing clients', texts: ['page 1, 25 so far', 'page 2, 50 so far', 'page 3, 57 so far'], stopped: true }])
  })
})

describe('clock', () => {
  it.each([
    [0, '0:00'],
    [1, '0:01'],
    [59_001, '1:00'],
    [300_000, '5:00'],
    [3_725_000, '1:02:05'],
    [-5, '0:00'],
  ])('%d ms → %s', (ms, text) => {
    expect(clock(ms)).toBe(text)
  })
})
