import { loadConfig } from '../config/store.js'
import { vendorFields } from '../vendors/registry.js'

/**
 * Shell completion: the words typed so far in, the candidates for the last one out. Pure but for
 * the profile names, which come through `CompletionSources` (the config file's names; never a
 * secret, the keychain or the network). `oauthctl __complete` runs it on every TAB; the scripts
 * `oauthctl completion bash|zsh|fish` print call it.
 */

/** A flag as oclif's manifest describes it (structurally; this layer does not import oclif). */
export interface FlagShape {
  name: string
  char?: string
  type: 'boolean' | 'option'
  options?: readonly string[]
  multiple?: boolean
  hidden?: boolean
  summary?: string
}

export interface CommandShape {
  /** oclif's id: `token:get`. */
  id: string
  hidden?: boolean
  summary?: string
  /** false: it takes any words (exec's command line). */
  strict?: boolean
  flags: Record<string, FlagShape>
  args: Record<string, { name: string }>
}

export interface CompletionSources {
  commands: readonly CommandShape[]
  topics: readonly { name: string; description?: string }[]
  /** Profile names in the config file (none when it is missing or broken). */
  profiles(): Promise<readonly string[]>
}

export interface Candidate {
  value: string
  description?: string
}

export interface Completion {
  candidates: Candidate[]
  /** Nothing is known about this word (a file, a command after `--`): the shell's own completion applies. */
  shellDefault: boolean
}

/**
 * Region names a `--region` value can take, for a provider (or every provider's when none is on
 * the command line), as the vendors' field declarations in the registry list them.
 */
export function regionsFor(provider: string | undefined): readonly string[] {
  const users = vendorFields().get('region') ?? []
  return users.filter(({ vendor }) => provider === undefined || vendor.provider === provider).flatMap(({ values }) => values ?? [])
}

/** Commands whose first argument names an existing profile. */
const PROFILE_ARGUMENT = new Set(['profiles:show', 'profiles:use', 'profiles:remove'])

/** Flags whose value is a profile name: `-p`, and the profile a new client secret is saved to. */
const PROFILE_FLAGS = new Set(['profile', 'save-profile'])

const NOTHING: Completion = { candidates: [], shellDefault: false }
const SHELL_DEFAULT: Completion = { candidates: [], shellDefault: true }

/**
 * Candidates for the last of `words` (the words after `oauthctl`; the last is the one being
 * typed, possibly empty), those that start with it.
 */
export async function complete(words: readonly string[], sources: CompletionSources): Promise<Completion> {
  const current = words.at(-1) ?? ''
  const line = parseLine(words.slice(0, -1), sources.commands)
  if (line.afterDoubleDash) return SHELL_DEFAULT
  const command = line.command

  // The value of a flag: `--output j`, `-p ""`, `--output=j`.
  const inline = /^(--[^=]+)=(.*)$/s.exec(current)
  if (line.pendingFlag || inline) {
    const flag = line.pendingFlag ?? (command && findFlag(command, inline?.[1] ?? ''))
    if (!flag || flag.type === 'boolean') return NOTHING
    const typed = inline ? (inline[2] ?? '') : current
    const prefix = inline ? `${inline[1]}=` : ''
    const values = await flagValues(flag, line.flagValues, sources)
    if (!values) return SHELL_DEFAULT
    return found(values.filter((v) => v.startsWith(typed)).map((v) => ({ value: prefix + v })))
  }

  if (current.startsWith('-')) {
    if (!command) return found(matching(current, [{ value: '--help', description: 'Show help.' }, { value: '--version', description: 'Show the version.' }]))
    const flags = Object.values(command.flags).filter((f) => !f.hidden && (f.multiple || !line.flagValues.has(f.name)))
    return found(matching(current, [...flags.map((f) => ({ value: `--${f.name}`, description: firstLine(f.summary) })), { value: '--help', description: 'Show help.' }]))
  }

  if (!command) return found(matching(current, nextWords(line.topic, sources)))
  if (PROFILE_ARGUMENT.has(command.id) && line.positionals.length === 0) return found(matching(current, (await sources.profiles()).map((value) => ({ value }))))
  // An argument we know nothing about (a token, an id, a file, exec's command): the shell's own completion.
  return Object.keys(command.args).length > line.positionals.length || command.strict === false ? SHELL_DEFAULT : NOTHING
}

interface ParsedLine {
  /** The topic typed so far (`token`), while no command is complete. */
  topic: string[]
  command?: CommandShape
  /** Flags given, by name, with their values (booleans: empty). */
  flagValues: Map<string, string[]>
  /** The last word was a flag that takes a value: the current word is that value. */
  pendingFlag?: FlagShape
  positionals: string[]
  afterDoubleDash: boolean
}

/** Read the finished words as oclif will: the command id, then its flags and arguments. */
function parseLine(words: readonly string[], commands: readonly CommandShape[]): ParsedLine {
  const line: ParsedLine = { topic: [], flagValues: new Map(), positionals: [], afterDoubleDash: false }
  for (const word of words) {
    if (line.afterDoubleDash) continue
    if (line.pendingFlag) {
      addValue(line, line.pendingFlag.name, word)
      line.pendingFlag = undefined
      continue
    }
    if (word === '--') {
      line.afterDoubleDash = true
      continue
    }
    if (word.startsWith('-') && word.length > 1) {
      const [name = '', value] = splitFlag(word)
      const flag = line.command && findFlag(line.command, name)
      if (!flag) continue
      if (flag.type === 'boolean') addValue(line, flag.name, '')
      else if (value !== undefined) addValue(line, flag.name, value)
      else line.pendingFlag = flag
      continue
    }
    if (!line.command) {
      const id = [...line.topic, word].join(':')
      const exact = commands.find((c) => c.id === id)
      // A word that is both a command and a topic (none today) stays a topic.
      if (exact && !commands.some((c) => c.id.startsWith(`${id}:`))) line.command = exact
      else line.topic.push(word)
      continue
    }
    line.positionals.push(word)
  }
  return line
}

/** `--name=value` → [--name, value]; `-pNAME` → [-p, NAME]; `--name` → [--name]. */
function splitFlag(word: string): [string, string?] {
  if (word.startsWith('--')) {
    const eq = word.indexOf('=')
    return eq < 0 ? [word] : [word.slice(0, eq), word.slice(eq + 1)]
  }
  return word.length > 2 ? [word.slice(0, 2), word.slice(2)] : [word]
}

function findFlag(command: CommandShape, typed: string): FlagShape | undefined {
  const flags = Object.values(command.flags)
  return typed.startsWith('--') ? flags.find((f) => f.name === typed.slice(2)) : flags.find((f) => f.char !== undefined && `-${f.char}` === typed)
}

function addValue(line: ParsedLine, name: string, value: string): void {
  line.flagValues.set(name, [...(line.flagValues.get(name) ?? []), value])
}

/** What a flag's value can be; undefined when anything can (a file, a URL, a scope). */
async function flagValues(flag: FlagShape, given: Map<string, string[]>, sources: CompletionSources): Promise<readonly string[] | undefined> {
  if (flag.options) return flag.options
  if (PROFILE_FLAGS.has(flag.name)) return sources.profiles()
  if (flag.name === 'region') return regionsFor(given.get('provider')?.at(-1))
  return undefined
}

/** The commands and topics one level below `topic`, by name. */
function nextWords(topic: readonly string[], sources: CompletionSources): Candidate[] {
  const depth = topic.length
  const prefix = topic.length ? `${topic.join(':')}:` : ''
  const byName = new Map<string, Candidate>()
  for (const command of sources.commands) {
    if (command.hidden || !command.id.startsWith(prefix)) continue
    const parts = command.id.split(':')
    const name = parts[depth]
    if (name === undefined || byName.has(name)) continue
    const isCommand = parts.length === depth + 1
    const topicName = parts.slice(0, depth + 1).join(':')
    byName.set(name, { value: name, description: firstLine(isCommand ? command.summary : sources.topics.find((t) => t.name === topicName)?.description) })
  }
  return [...byName.values()].sort((a, b) => a.value.localeCompare(b.value))
}

const matching = (typed: string, candidates: readonly Candidate[]) => candidates.filter((c) => c.value.startsWith(typed))
const found = (candidates: Candidate[]): Completion => ({ candidates, shellDefault: false })
const firstLine = (text: string | undefined) => text?.split('\n')[0]?.trim() || undefined

/**
 * The profile names in the config file, for completion: validated like every read of it, and
 * nothing at all when it is missing, broken or unsafe (completion never prints an error).
 */
export async function configuredProfiles(configDir: string): Promise<string[]> {
  try {
    return Object.keys((await loadConfig(configDir)).profiles).sort()
  } catch {
    return []
  }
}

/**
 * What `oauthctl __complete` prints: one candidate a line (`value<TAB>description`), then a
 * directive line the scripts read: `:default` (let the shell complete, e.g. files) or `:done`.
 * Values and descriptions come from our manifest, enums and validated profile names; tabs and
 * line breaks are still replaced so that one candidate stays one line.
 */
export function renderCompletion(completion: Completion): string {
  const clean = (text: string) => text.replace(/[\t\r\n\u0000-\u001f\u007f]+/g, ' ')
  const lines = completion.candidates.map((c) => (c.description ? `${clean(c.value)}\t${clean(c.description)}` : clean(c.value)))
  return `${[...lines, completion.shellDefault ? ':default' : ':done'].join('\n')}\n`
}
