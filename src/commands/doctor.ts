import { BaseCommand } from '../cli/base-command.js'
import { defaultProfile } from '../lib/config/profiles.js'
import { describeDoctor, doctor } from '../lib/use-cases/doctor.js'

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary = "Check a profile's secret storage, CA and proxy settings, issuer, discovery document and the server's clock."
  static override description = `Each check says ok, warn or fail in one line, with a hint for what is wrong. The storage checked is the one the profile really uses (--storage, OAUTHCTL_STORAGE, the profile's, else the keychain); for the keychain, doctor says why it is unavailable and how to fix it. The clock is compared with the server's Date header (a warning beyond 60 s).
A failed check makes the exit code that of the first failure, as the command that met the same cause would exit: 6 storage, 2 a CA or proxy setting, 5 an issuer that cannot be reached or a broken discovery document. With no profile at all, only storage, CA and proxy are checked.`
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor -p ci --json']

  async run(): Promise<void> {
    const target = this.rt.requestedProfile ? await this.rt.profile() : defaultProfile(await this.rt.config(), this.rt.env).resolved
    const { report, verdict } = await doctor(target, { caFile: this.flags['ca-file'], insecure: this.flags.insecure }, this.rt)
    this.report(report, describeDoctor, verdict)
  }
}
