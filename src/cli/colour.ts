import { Chalk } from 'chalk'

export interface ColourInputs {
  env: NodeJS.ProcessEnv
  /** `--no-color` was given. */
  noColorFlag: boolean
  /** The stream the coloured text goes to is a terminal. */
  isTTY: boolean
}

/**
 * Whether text for one stream gets colour: the one decision, in this order. `--no-color` and
 * NO_COLOR (any non-empty value, as no-color.org says) turn it off whatever else is set: a request
 * for plain text wins. FORCE_COLOR then decides when set (`0` or `false` off, anything else on, as
 * chalk's supports-color reads it, even into a pipe); else TERM=dumb is off, and only a terminal
 * gets colour.
 */
export function colourEnabled({ env, noColorFlag, isTTY }: ColourInputs): boolean {
  if (noColorFlag || env.NO_COLOR) return false
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  if (env.TERM === 'dumb') return false
  return isTTY
}

/**
 * The styles the CLI uses, so that each kind of word looks the same everywhere: chalk at the level
 * decided above (never its own guess), the 16 basic colours only, which every colour terminal takes.
 * Disabled, each returns its text unchanged.
 */
export function styles(enabled: boolean) {
  const paint = new Chalk({ level: enabled ? 1 : 0 })
  return {
    error: (text: string) => paint.red.bold(text),
    warning: (text: string) => paint.yellow.bold(text),
    good: (text: string) => paint.green(text),
    attention: (text: string) => paint.yellow(text),
    bad: (text: string) => paint.red(text),
  }
}

export type Styles = ReturnType<typeof styles>
