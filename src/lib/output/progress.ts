import { redactText } from '../redact.js'
import { sanitizeInline } from './sanitize.js'

/**
 * A wait the user may see: one line on stderr while something slow happens (a browser login, device
 * polling, paging, a retry). Use cases get a Progress as an edge, like the clock; the CLI chooses
 * the terminal one or none.
 */
export interface Progress {
  /** Begin a wait (stop it in a `finally`, or use `during`). */
  start(label: string, options?: WaitOptions): ProgressTask
}

export interface WaitOptions {
  /** The first `update`. */
  text?: string
  /** When the wait gives up: the line counts down to it. */
  timeLeftMs?: number
}

/**
 * One wait, its own handle: waits nest (a retry inside paging) and overlap (pages fetched side by
 * side), so each stops only itself. The line shows the wait started last that is still running.
 */
export interface ProgressTask {
  /** What the wait is at now, after the label: `page 3, 150 clients so far`. */
  update(text: string): void
  stop(): void
}

const IDLE: ProgressTask = { update: () => undefined, stop: () => undefined }

/** Not a terminal, --quiet or --json: nothing is drawn. */
export const NO_PROGRESS: Progress = { start: () => IDLE }

/** `fn` as one wait, stopped however it ends. */
export async function during<T>(progress: Progress, label: string, fn: (task: ProgressTask) => Promise<T>, options?: WaitOptions): Promise<T> {
  const task = progress.start(label, options)
  try {
    return await fn(task)
  } finally {
    task.stop()
  }
}

export interface ProgressStream {
  write(text: string): unknown
  /** The terminal's width: a longer line would wrap, and `\r` could not take it back. */
  columns?: number
}

export interface TerminalProgressOptions {
  /** A wait shorter than this shows nothing. */
  delayMs?: number
  frameMs?: number
  /** Spinner frames; ASCII ones for a dumb terminal. */
  frames?: readonly string[]
  now?: () => number
}

export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const
export const ASCII_FRAMES = ['-', '\\', '|', '/'] as const

interface Wait {
  label: string
  text: string
  endsAt?: number
}

/**
 * One line on a terminal's stderr, redrawn in place with `\r` and blanked with spaces (no escape
 * sequences: a dumb terminal understands it too). It appears once the waits have lasted `delayMs`,
 * and is gone when the last one stops. Labels and texts are redacted and shown escaped: they can
 * carry what a server sent.
 */
export class TerminalProgress implements Progress {
  private readonly waits: Wait[] = []
  private readonly delayMs: number
  private readonly frameMs: number
  private readonly frames: readonly string[]
  private readonly now: () => number
  private since = 0
  private frame = 0
  /** Prompts open now: the line stays away while someone types. */
  private pauses = 0
  /** Characters on screen now (0: no line drawn). */
  private shown = 0
  private timer?: NodeJS.Timeout

  constructor(
    private readonly stream: ProgressStream,
    options: TerminalProgressOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 1000
    this.frameMs = options.frameMs ?? 100
    this.frames = options.frames ?? SPINNER_FRAMES
    this.now = options.now ?? Date.now
  }

  start(label: string, options: WaitOptions = {}): ProgressTask {
    const wait: Wait = { label: clean(label), text: clean(options.text ?? ''), endsAt: options.timeLeftMs === undefined ? undefined : this.now() + options.timeLeftMs }
    if (this.waits.length === 0) {
      this.since = this.now()
      // Unref'd: a forgotten wait never keeps the process alive.
      this.timer = setInterval(() => this.draw(), this.frameMs).unref()
    }
    this.waits.push(wait)
    let running = true
    return {
      update: (text) => {
        if (running) wait.text = clean(text)
      },
      stop: () => {
        if (!running) return
        running = false
        this.waits.splice(this.waits.indexOf(wait), 1)
        if (this.waits.length === 0) this.close()
      },
    }
  }

  /** Other stderr output (a warning, a trace line): the line is taken away first and comes back after it. */
  above(write: () => void): void {
    const drawn = this.shown > 0
    this.erase()
    write()
    if (drawn) this.draw()
  }

  /** `fn` (a prompt) with the line taken away until it ends: a wait can need an answer (a password for the API it lists). */
  async paused<T>(fn: () => Promise<T>): Promise<T> {
    this.pauses++
    this.erase()
    try {
      return await fn()
    } finally {
      this.pauses--
    }
  }

  /** Stop drawing and take the line away, whatever waits are still open. */
  close(): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.waits.length = 0
    this.erase()
  }

  private draw(): void {
    const wait = this.waits.at(-1)
    if (!wait || this.pauses > 0 || this.now() - this.since < this.delayMs) return
    this.frame = (this.frame + 1) % this.frames.length
    let line = `${this.frames[this.frame]} ${wait.label}${wait.text ? `: ${wait.text}` : ''}`
    if (wait.endsAt !== undefined) line += ` (${clock(wait.endsAt - this.now())} left)`
    const room = Math.max(10, (this.stream.columns ?? 80) - 1)
    const chars = [...line]
    if (chars.length > room) line = `${chars.slice(0, room - 1).join('')}…`
    const width = Math.min(chars.length, room)
    this.stream.write(`\r${line}${' '.repeat(Math.max(0, this.shown - width))}`)
    this.shown = width
  }

  private erase(): void {
    if (this.shown === 0) return
    this.stream.write(`\r${' '.repeat(this.shown)}\r`)
    this.shown = 0
  }
}

const clean = (text: string) => sanitizeInline(redactText(text))

/** `4:05`, `1:02:03`: minutes and seconds left, rounded up so that 0:00 means now. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = String(total % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}
