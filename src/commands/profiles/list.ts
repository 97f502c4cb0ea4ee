import { BaseCommand } from '../../cli/base-command.js'
import type { Profile } from '../../lib/config/schema.js'
import { CliError } from '../../lib/errors.js'
import { profileEndpoints } from '../../lib/vendors/registry.js'
import { renderTable } from '../../lib/output/table.js'

/** One profile whose vendor fields cannot give endpoints (a hand-edited region) must not hide the others. */
function tokenEndpointOf(profile: Profile): string {
  try {
    return profileEndpoints(profile).token ?? ''
  } catch (err) {
    if (err instanceof CliError) return `(${err.message})`
    throw err
  }
}

export default class ProfilesList extends BaseCommand<typeof ProfilesList> {
  static override summary = 'List profiles.'
  static override examples = ['<%= config.bin %> profiles list', '<%= config.bin %> profiles list --json']

  async run(): Promise<void> {
    const config = await this.rt.config()
    const rows = Object.entries(config.profiles).map(([name, p]) => ({
      name,
      default: config.defaultProfile === name,
      provider: p.provider,
      issuer: p.issuer ?? tokenEndpointOf(p),
      clientId: p.clientId ?? '',
    }))
    this.output(rows, (r) =>
      r.length === 0
        ? 'no profiles yet: oauthctl profiles add NAME --issuer URL --client-id ID'
        : renderTable(
            r.map((row) => ({ ...row, name: row.default ? `${row.name} *` : row.name })),
            [
              ['name', 'NAME'],
              ['provider', 'PROVIDER'],
              ['issuer', 'ISSUER / TOKEN ENDPOINT'],
              ['clientId', 'CLIENT ID'],
            ],
          ),
    )
  }
}
