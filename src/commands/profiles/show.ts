import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { resolveProfile } from '../../lib/config/profiles.js'
import { profileEndpoints } from '../../lib/vendors/registry.js'
import { secretKeys } from '../../lib/storage/keys.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'

export default class ProfilesShow extends BaseCommand<typeof ProfilesShow> {
  static override summary = 'Show one profile (never its secrets).'
  static override examples = ['<%= config.bin %> profiles show work', '<%= config.bin %> profiles show work --json']
  static override args = { name: Args.string({ description: 'Profile name (default: the current profile).' }) }

  async run(): Promise<void> {
    const config = await this.rt.config()
    const { name, profile, source } = this.args.name ? resolveProfile(config, this.args.name, {}) : await this.rt.profile()
    const store = await this.rt.store(profile)
    const hasSecret = Boolean(this.rt.env.OAUTHCTL_CLIENT_SECRET) || (await store.get(secretKeys.clientSecret(name))) !== undefined
    const { discovery, ...settings } = profile
    const result: JsonDocument<'profiles show'> = {
      name,
      source,
      default: config.defaultProfile === name,
      ...settings,
      endpoints: profileEndpoints(profile),
      discoveredAt: discovery?.fetchedAt,
      hasClientSecret: hasSecret,
      storage: this.rt.storageChoice(profile).kind,
    }
    this.output(result, (r) =>
      Object.entries(r)
        .filter(([, v]) => v !== undefined && !(typeof v === 'object' && v !== null && Object.keys(v).length === 0))
        // People read the same line as before the JSON field became a boolean.
        .map(([k, v]) => (k === 'hasClientSecret' ? ['clientSecret', v ? 'stored' : 'none'] : [k, v]))
        .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join('\n'),
    )
  }
}
