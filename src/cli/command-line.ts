/**
 * Reading what the user typed when it did not parse: the nearest command or flag name for a typo,
 * and which unknown flags may be shown back. Plain functions: the error boundary and the
 * command-not-found hook both use them.
 */

/** Edit distance with adjacent transpositions (optimal string alignment): "tokne" is one edit from "token". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[a.length]![b.length]!
}

/** The candidate nearest to `typed`, if it is near enough to be a typo of it (about one edit in three letters). */
export function closest(typed: string, candidates: Iterable<string>): string | undefined {
  let best: { name: string; distance: number } | undefined
  for (const name of candidates) {
    const distance = editDistance(typed, name)
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = { name, distance }
  }
  return best?.name
}

/**
 * The command a mistyped one (words, e.g. ["tokne", "get"]) was probably meant to be, among
 * command ids and topics (words separated by spaces), compared word by word as far as each goes:
 * of those near enough, the one that covers the most words ("token get" over "token" for "token gte").
 */
export function suggestCommand(words: readonly string[], commands: Iterable<string>): string | undefined {
  let best: { name: string; words: number; distance: number } | undefined
  for (const name of commands) {
    const length = name.split(' ').length
    if (length > words.length) continue
    const distance = editDistance(words.slice(0, length).join(' '), name)
    if (distance > Math.max(1, Math.floor(name.length / 3))) continue
    if (!best || length > best.words || (length === best.words && distance < best.distance)) best = { name, words: length, distance }
  }
  return best?.name
}

/**
 * Whether an unknown flag may be shown back: only what reads as a mistyped flag name (a lowercase
 * kebab-case long flag, or one letter). Anything else that starts with "-" is likely a value typed
 * before its flag or before `--` (an opaque token, a secret) and is described, never echoed.
 */
export const isPlausibleFlagName = (flag: string) => (flag.length <= 40 && /^--[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(flag)) || /^-[A-Za-z]$/.test(flag)

/** How an unknown flag appears in an error: its name, or a description that gives nothing of it away. */
export const flagShown = (flag: string) => (isPlausibleFlagName(flag) ? flag : `(an argument of ${flag.length} characters starting with "-")`)
