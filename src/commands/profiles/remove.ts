import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { removeProfile } from '../../lib/use-cases/add-profile.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'

export default class ProfilesRemove extends BaseCommand<typeof ProfilesRemove> {
  static override summary = 'Remove a profile and every secret and token stored for it.'
  static override examples = ['<%= config.bin %> profiles remove old']
  static override args = { name: Args.string({ description: 'Profile name.', required: true }) }

  async run(): Promise<void> {
    const result = await removeProfile(this.args.name, { configDir: this.rt.configDir, store: (profile) => this.rt.store(profile) })
    this.output<JsonDocument<'profiles remove'>>(result, (r) => `removed profile ${r.name} (${r.secretsRemoved} stored item${r.secretsRemoved === 1 ? '' : 's'} deleted)`)
  }
}
