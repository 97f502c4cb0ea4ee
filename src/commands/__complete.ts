import { Command } from '@oclif/core'
import { complete, configuredProfiles, renderCompletion } from '../lib/use-cases/completion.js'
import { configDir } from '../lib/config/paths.js'

/**
 * `oauthctl __complete -- WORDS...`: the candidates for the last word, for the scripts of
 * `oauthctl completion`. Hidden, and no flags of its own: every word after `--` is the user's.
 * Commands and flags come from oclif's manifest (no command module is loaded).
 */
export default class Complete extends Command {
  static override hidden = true
  static override strict = false
  static override summary = 'Completion candidates for the shell scripts of `oauthctl completion`.'

  async run(): Promise<void> {
    const words = this.argv[0] === '--' ? this.argv.slice(1) : this.argv
    const completion = await complete(words, {
      commands: this.config.commands,
      topics: this.config.topics,
      profiles: () => configuredProfiles(configDir(process.env)),
    })
    process.stdout.write(renderCompletion(completion))
  }
}
