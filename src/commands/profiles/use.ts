import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { resolveProfile } from '../../lib/config/profiles.js'
import { updateConfig } from '../../lib/config/store.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'

export default class ProfilesUse extends BaseCommand<typeof ProfilesUse> {
  static override summary = 'Make a profile the default.'
  static override examples = ['<%= config.bin %> profiles use work']
  static override args = { name: Args.string({ description: 'Profile name.', required: true }) }

  async run(): Promise<void> {
    const name = this.args.name
    await updateConfig(this.rt.configDir, (config) => {
      resolveProfile(config, name, {})
      config.defaultProfile = name
    })
    this.output<JsonDocument<'profiles use'>>({ defaultProfile: name }, () => `default profile is now ${name}`)
  }
}
