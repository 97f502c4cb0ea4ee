import { resolve } from 'node:path'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { usageError } from '../lib/errors.js'
import type { ExecCredentialApiVersion } from '../lib/tokens/token-output.cjs'
import type { JsonDocument } from '../lib/documents/json-schemas.js'
import { EXEC_API_VERSION_NAMES, INTERACTIVE_MODES, type InteractiveMode, type KubeconfigOptions, kubeconfigUsers, toYaml, writeKubeconfigUser } from '../lib/integrations/kubectl.js'

export default class Kubeconfig extends BaseCommand<typeof Kubeconfig> {
  static override summary = "Print (or --write) the kubeconfig user entry that makes kubectl get its token from oauthctl."
  static override description = `The entry's exec stanza runs this oauthctl (its absolute path) as a kubectl credential plugin: \`token get --output exec-credential -p PROFILE\`, which answers from the cache, refreshes when needed, and speaks the ExecCredential version kubectl asks for (KUBERNETES_EXEC_INFO).
--id-token authenticates with the ID token, which is what the Kubernetes API server's OIDC authenticator (--oidc-issuer-url, --oidc-client-id) accepts; the access token suits a webhook or structured authenticator that accepts it.
--write merges the entry into your kubeconfig ($KUBECONFIG, else ~/.kube/config) with \`kubectl config set-credentials\`, keeping everything else; then point a context at it (kubectl config set-context NAME --cluster CLUSTER --user USER).`
  static override examples = [
    '<%= config.bin %> kubeconfig -p corp --id-token',
    '<%= config.bin %> kubeconfig -p corp --id-token --write --user corp && kubectl config set-context corp --cluster prod --user corp',
  ]
  static override flags = {
    write: Flags.boolean({ summary: 'Merge the entry into the kubeconfig (kubectl config set-credentials) instead of printing it.' }),
    user: Flags.string({ summary: 'Name of the kubeconfig user entry (default: oauthctl-PROFILE).' }),
    'id-token': Flags.boolean({ summary: 'Authenticate with the ID token (Kubernetes OIDC) rather than the access token.' }),
    'api-version': Flags.string({ summary: 'ExecCredential version: v1 (kubectl 1.22 and later) or v1beta1 (older).', options: Object.keys(EXEC_API_VERSION_NAMES), default: 'v1' }),
    'interactive-mode': Flags.string({ summary: 'interactiveMode of the stanza; token get never prompts, hence Never.', options: [...INTERACTIVE_MODES], default: 'Never' }),
  }

  async run(): Promise<void> {
    const { name, source } = await this.rt.profile()
    if (source === 'env') throw usageError('kubectl runs oauthctl with -p PROFILE: save the profile first (oauthctl profiles add NAME ...)', { code: 'env_profile' })
    const options: KubeconfigOptions = {
      profileName: name,
      user: this.flags.user ?? `oauthctl-${name}`,
      command: resolve(process.argv[1] ?? 'oauthctl'),
      idToken: this.flags['id-token'],
      apiVersion: EXEC_API_VERSION_NAMES[this.flags['api-version']] as ExecCredentialApiVersion,
      interactiveMode: this.flags['interactive-mode'] as InteractiveMode,
    }
    if (this.flags.write) {
      await writeKubeconfigUser(options)
      this.rt.info(`kubeconfig user ${options.user} now gets its token from oauthctl (profile ${name}); use it in a context: kubectl config set-context NAME --cluster CLUSTER --user ${options.user}`)
      if (this.flags.json) this.output<JsonDocument<'kubeconfig'>>({ written: true, ...kubeconfigUsers(options) }, () => undefined)
      return
    }
    const document = kubeconfigUsers(options)
    this.output<JsonDocument<'kubeconfig'>>(document, (d) => toYaml(d))
  }
}
