import { type Command, CommandHelp, Help } from '@oclif/core'
import { ENVIRONMENT, exitCodeRows } from '../lib/help-topics.js'

/**
 * oclif's help, with examples that survive copy and paste, and `oauthctl --help` listing the
 * environment variables and exit codes. package.json `oclif.helpClass` points here (the bundle
 * exports it as HELP).
 */
export class OauthctlHelp extends Help {
  protected override CommandHelpClass = OauthctlCommandHelp

  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp()
    this.log(this.section('ENVIRONMENT', ENVIRONMENT.map((row) => [row.name, row.meaning] as [string, string])))
    this.log('')
    this.log(this.section('EXIT CODES', exitCodeRows().map((row) => [row.name, row.meaning] as [string, string])))
    this.log('')
  }
}

/**
 * oclif wraps an example's command like prose, breaking inside a quoted string or a long word
 * (a JSON argument came out split across lines, and broken when pasted). Here a command breaks
 * only between shell words, with ` \` continuations; a word longer than the line stays whole.
 */
class OauthctlCommandHelp extends CommandHelp {
  protected override examples(examples: Command.Example[] | string | undefined): string | undefined {
    if (!examples || examples.length === 0) return undefined
    const list = typeof examples === 'string' ? [examples] : examples
    return list
      .map((example) => {
        if (typeof example !== 'string') return `${this.wrap(example.description, 4)}\n\n${this.indent(this.commandLines(example.command, 4))}`
        const lines = example.split(/\r?\n/).filter(Boolean)
        // "description\ncommand…", as oclif reads a string example.
        if (lines.length >= 2 && !this.isCommandLine(lines[0] ?? '') && lines.slice(1).every((l) => this.isCommandLine(l))) {
          return `${this.wrap(lines[0] ?? '', 4)}\n\n${this.indent(lines.slice(1).map((l) => this.commandLines(l, 4)).join('\n'))}`
        }
        return lines.map((l) => this.commandLines(l, 2)).join('\n')
      })
      .join('\n\n')
  }

  /** One command, `$ `-prefixed when it runs oauthctl, broken into lines that fit from column `indent`. */
  private commandLines(text: string, indent: number): string {
    const line = this.render(text)
    const shown = this.isCommandLine(line) && !line.startsWith('$ ') ? `$ ${line}` : line
    // Room for the ` \` at the end, and for the continuation lines' two more spaces.
    return wrapCommand(shown, this.opts.maxWidth - indent - 4).join(' \\\n  ')
  }

  private isCommandLine(line: string): boolean {
    const rendered = this.render(line)
    return rendered.startsWith(`${this.config.bin} `) || rendered.startsWith(`$ ${this.config.bin}`)
  }
}

/**
 * A command line as lines of at most `width` columns, broken only at blanks outside quotes and
 * `$(…)`: each line but the last is continued with ` \` by the caller, so the shell reads the same
 * words. A word longer than `width` gets a line of its own, unbroken.
 */
export function wrapCommand(line: string, width: number): string[] {
  const words = shellWordsAsTyped(line)
  const lines: string[] = []
  let current = ''
  for (const word of words) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current)
      current = word
    } else current = current ? `${current} ${word}` : word
  }
  if (current) lines.push(current)
  return lines
}

/** The words of a command line as typed (quotes and `$(…)` kept), split at blanks outside them. */
export function shellWordsAsTyped(line: string): string[] {
  const words: string[] = []
  let word = ''
  let quote: "'" | '"' | undefined
  let depth = 0 // inside $( … )
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string
    if (quote === "'") {
      if (c === "'") quote = undefined
    } else if (c === '\\') {
      word += c + (line[++i] ?? '')
      continue
    } else if (quote === '"') {
      if (c === '"') quote = undefined
    } else if (c === "'" || c === '"') {
      quote = c
    } else if (line.startsWith('$(', i)) {
      depth++
    } else if (c === ')' && depth > 0) {
      depth--
    } else if ((c === ' ' || c === '\t') && depth === 0) {
      if (word) words.push(word)
      word = ''
      continue
    }
    word += c
  }
  if (word) words.push(word)
  return words
}
