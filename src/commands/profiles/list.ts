import { BaseCommand } from '../../cli/base-command.js'
import type { Profile } from '../../lib/config/schema.js'
import { CliError } from '../../lib/errors.js'
import { profileEndpoints } from '../../lib/vendors/registry.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'
import { renderTable } from '../../lib/output/table.js'

/** One profile whose vendor fields cannot give endpoints (a hand-edited region) must not hide the others: the table says why. */
function tokenEndpointOf(profile: Profile): { tokenEndpoint?: string; problem?: string } {
  try {
    return { tokenEndpoint: profileEndpoints(profile).token }
  } catch (err) {
    if (err instanceof CliError) return { problem: `(${err.message})` }
    throw err
  }
}

export default class ProfilesList extends BaseCommand<typeof ProfilesList> {
  static override summary = 'List profiles.'
  static override examples = ['<%= config.bin %> profiles list', '<%= config.bin %> profiles list --json']

  async run(): Promise<void> {
    const config = await this.rt.config()
    const rows = Object.entries(config.profiles).map(([name, p]) => ({ name, p, ...tokenEndpointOf(p) }))
    const profiles = rows.map(({ name, p, tokenEndpoint }) => ({
      name,
      default: config.defaultProfile === name,
      provider: p.provider,
      issuer: p.issuer,
      tokenEndpoint,
      clientId: p.clientId,
    }))
    this.output<JsonDocument<'profiles list'>>({ profiles }, () =>
      rows.length === 0
        ? 'no profiles yet: oauthctl profiles add NAME --issuer URL --client-id ID'
        : renderTable(
            rows.map(({ name, p, tokenEndpoint, problem }) => ({
              name: config.defaultProfile === name ? `${name} *` : name,
              provider: p.provider,
              issuer: p.issuer ?? tokenEndpoint ?? problem ?? '',
              clientId: p.clientId ?? '',
            })),
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
