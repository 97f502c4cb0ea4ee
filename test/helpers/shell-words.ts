/**
 * Just enough of the POSIX shell grammar to find the commands in a README example: quotes,
 * backslashes, comments, `$(…)` (whose commands are found too), pipes and lists, redirections
 * (dropped with their target) and leading `NAME=value` assignments. Variables are not expanded:
 * `"$SECRET"` stays that text, which is all a parser needs of a value.
 */
export function shellCommands(line: string): string[][] {
  const commands: string[][] = []
  let words: string[] = []
  let word: string | undefined
  let skipNext = false // the next word is a redirection's target
  const endWord = () => {
    if (word === undefined) return
    if (skipNext) skipNext = false
    else if (!(words.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word))) words.push(word)
    word = undefined
  }
  const endCommand = () => {
    endWord()
    if (words.length) commands.push(words)
    words = []
  }
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string
    if (c === '\\') {
      word = (word ?? '') + (line[++i] ?? '')
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1)
      if (end < 0) throw new Error(`unclosed ' in: ${line}`)
      word = (word ?? '') + line.slice(i + 1, end)
      i = end
    } else if (c === '"') {
      let value = ''
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && i + 1 < line.length) value += line[++i]
        else if (line.startsWith('$(', i)) {
          const end = closingParen(line, i + 1)
          commands.push(...shellCommands(line.slice(i + 2, end)))
          value += line.slice(i, end + 1)
          i = end
        } else value += line[i]
      }
      if (i >= line.length) throw new Error(`unclosed " in: ${line}`)
      word = (word ?? '') + value
    } else if (line.startsWith('$(', i)) {
      const end = closingParen(line, i + 1)
      commands.push(...shellCommands(line.slice(i + 2, end)))
      word = (word ?? '') + line.slice(i, end + 1)
      i = end
    } else if (c === '#' && word === undefined) {
      break
    } else if (c === ' ' || c === '\t') {
      endWord()
    } else if (c === '|' || c === ';' || c === '&') {
      endCommand()
      if (line[i + 1] === c) i++
    } else if (c === '<' || c === '>') {
      // A redirection: `<`, `>`, `>>`, `<<<`, `2>`, `>&2`…; its target (if not glued) is the next word.
      if (word !== undefined && /^\d$/.test(word)) word = undefined
      endWord()
      while (line[i + 1] === '<' || line[i + 1] === '>') i++
      if (line[i + 1] === '&') {
        i++
        while (/\d/.test(line[i + 1] ?? '')) i++
      } else skipNext = true
    } else {
      word = (word ?? '') + c
    }
  }
  endCommand()
  return commands
}

function closingParen(line: string, open: number): number {
  let depth = 0
  for (let i = open; i < line.length; i++) {
    if (line[i] === '(') depth++
    else if (line[i] === ')' && --depth === 0) return i
    else if (line[i] === "'") i = line.indexOf("'", i + 1)
  }
  throw new Error(`unclosed $( in: ${line}`)
}

/** The logical lines of a shell script: backslash-newline continuations joined. */
export const logicalLines = (script: string): string[] => script.replace(/\\\n\s*/g, '').split('\n')
