import { BaseCommand } from '../cli/base-command.js'
import { describeUserInfo, userInfo } from '../lib/use-cases/userinfo.js'
import type { JsonDocument } from '../lib/documents/json-schemas.js'

export default class UserInfo extends BaseCommand<typeof UserInfo> {
  static override summary = "Who the profile's session is: the OpenID Connect UserInfo claims."
  static override description = `Calls the issuer's userinfo endpoint with the profile's access token (from the cache, refreshed as token get does; a DPoP proof when the profile uses DPoP). When an ID token is stored, the answer's sub must match its sub (else exit 4).
The session needs the openid scope (and profile, email… for those claims): oauthctl login --scope openid --scope profile.`
  static override examples = ['<%= config.bin %> userinfo', '<%= config.bin %> userinfo --json | jq -r .claims.email']

  async run(): Promise<void> {
    const info = await userInfo(await this.rt.tokenContext())
    this.output<JsonDocument<'userinfo'>>(info, describeUserInfo)
  }
}
