import { BaseCommand } from '../cli/base-command.js'
import { ENV_PROFILE_NAME, profileFromEnv } from '../lib/config/profiles.js'
import type { Profile } from '../lib/config/schema.js'
import type { JsonDocument } from '../lib/output/json-schemas.js'
import { renderTable } from '../lib/output/table.js'
import { profileStatus } from '../lib/status.js'
import { nowSeconds } from '../lib/tokens/cache.js'
import { formatDuration } from '../lib/tokens/inspect.js'

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Every profile: logged in?, subject, token expiry, scopes, storage backend.'
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json']

  async run(): Promise<void> {
    const config = await this.rt.config()
    const profiles: [string, Profile][] = Object.entries(config.profiles)
    const fromEnv = profileFromEnv(this.rt.env)
    if (fromEnv) profiles.push([ENV_PROFILE_NAME, fromEnv])
    const now = nowSeconds()
    const statuses = []
    for (const [name, profile] of profiles) {
      const kind = this.rt.storageChoice(profile).kind
      statuses.push(await profileStatus(name, profile, config.defaultProfile === name, () => this.rt.store(profile), kind, this.rt.env, now))
    }
    // An object, so that fields can be added beside `profiles` without breaking scripts.
    this.output<JsonDocument<'status'>>({ profiles: statuses }, ({ profiles: list }) => {
      if (list.length === 0) return 'no profiles yet: oauthctl profiles add NAME --issuer URL --client-id ID'
      const rows = list.map((s) => {
        const best = [...s.tokens].sort((a, b) => b.expiresIn - a.expiresIn)[0]
        return {
          profile: s.default ? `${s.name} *` : s.name,
          state: s.storageError ? 'storage unavailable' : s.loggedIn ? 'logged in' : s.hasClientSecret ? 'client secret' : 'not logged in',
          subject: best?.subject ?? '',
          expires: best ? (best.expiresIn > 0 ? `in ${formatDuration(best.expiresIn)}` : `expired${best.refreshable ? ' (refreshable)' : ''}`) : '',
          scopes: best?.scopes.join(' ') ?? '',
          storage: s.storage,
        }
      })
      return renderTable(rows, [
        ['profile', 'PROFILE'],
        ['state', 'STATE'],
        ['subject', 'SUBJECT'],
        ['expires', 'EXPIRES'],
        ['scopes', 'SCOPES'],
        ['storage', 'STORAGE'],
      ])
    })
  }
}
