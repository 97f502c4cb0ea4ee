import { type Hook, loadHelpClass } from '@oclif/core'
import { reportError } from '../cli/base-command.js'
import { suggestCommand } from '../cli/command-line.js'
import { usageError } from '../lib/errors.js'

/** A word that reads as a command name may be shown back; anything else (a pasted token?) is described. */
const shown = (word: string) => (/^[a-z][a-z0-9-]{0,30}$/.test(word) ? word : `(${word.length} characters)`)

/**
 * oclif found no command: `oauthctl help [COMMAND…]` is help (oclif's own `--help`, as `git help`
 * does), anything else is a usage error (exit 2) naming the nearest command, in the error
 * boundary's format (JSON with --json).
 */
const commandNotFound: Hook<'command_not_found'> = async function ({ config, id, argv = [] }) {
  const words = id.split(':')
  if (words[0] === 'help') {
    const Help = await loadHelpClass(config)
    await new Help(config, config.pjson.oclif.helpOptions).showHelp([...words.slice(1), ...argv])
    return
  }
  const commands = new Set([...config.commandIDs, ...config.topics.map((t) => t.name)].map((name) => name.replaceAll(':', ' ')))
  const suggestion = suggestCommand(words, commands)
  const error = usageError(`unknown command "${words.map(shown).join(' ')}"`, {
    code: 'unknown_command',
    hint: suggestion ? `did you mean "${suggestion}"? (${config.bin} help lists the commands)` : `${config.bin} help lists the commands`,
  })
  reportError(error, argv.includes('--json'))
}

export default commandNotFound
