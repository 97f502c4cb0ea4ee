import { BaseCommand } from '../cli/base-command.js'
import { doctor } from '../lib/doctor.js'
import type { JsonDocument } from '../lib/output/json-schemas.js'

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary = 'Which secret storage is in use, and why the keychain is unavailable and how to fix it.'
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json']

  async run(): Promise<void> {
    const report = await doctor(this.rt.configDir, this.rt.storageChoice(), this.rt.env)
    this.output<JsonDocument<'doctor'>>(report, (r) =>
      [
        `config folder: ${r.configDir}`,
        `storage in use: ${r.storage.kind} (from ${r.storage.source})`,
        r.keychain.available ? 'keychain: available' : `keychain: unavailable: ${r.keychain.reason}`,
        r.keychain.fix && `fix: ${r.keychain.fix}`,
        r.wsl ? 'platform: WSL' : `platform: ${r.platform}`,
      ]
        .filter(Boolean)
        .join('\n'),
    )
  }
}
