import { Args, Flags } from '@oclif/core'
import { BaseCommand, integerFlag } from '../../cli/base-command.js'
import { canPrompt, parseKeyValues, promptSecret, readStdin } from '../../cli/input.js'
import { addProfile, usesClientSecret } from '../../lib/use-cases/add-profile.js'
import { AUTH_METHODS, type AuthMethod, BASIC_ENCODINGS, type BasicEncoding, type StorageKind } from '../../lib/config/schema.js'
import { usageError } from '../../lib/errors.js'
import { resourceProfile } from '../../lib/use-cases/resource-profile.js'
import { PROVIDERS, profileEndpoints } from '../../lib/vendors/registry.js'
import { vendorFieldFlags } from '../../cli/vendor-flags.js'
import type { JsonDocument } from '../../lib/documents/json-schemas.js'

export default class ProfilesAdd extends BaseCommand<typeof ProfilesAdd> {
  static override summary = 'Add a profile, or change an existing one.'
  static override description = `A profile is one authorization server plus one client. With --issuer the endpoints come from discovery (OpenID Connect, then RFC 8414) and are cached with the profile; --refresh-discovery fetches them again.
Given for an existing profile, only the flags you pass change. The client secret never goes on the command line: pipe it to --client-secret-stdin, set OAUTHCTL_CLIENT_SECRET, or type it at the hidden prompt.`

  static override examples = [
    'printf %s "$SECRET" | <%= config.bin %> profiles add work --issuer https://idp.example.com --client-id my-ci --client-secret-stdin --default',
    '<%= config.bin %> profiles add laptop --issuer https://idp.example.com --client-id cli-app --auth-method none --scope openid --scope offline_access',
    '<%= config.bin %> profiles add legacy --token-endpoint https://auth.example.com/oauth/token --client-id svc --client-secret-stdin < secret.txt',
    '<%= config.bin %> profiles add bank --issuer https://idp.example.com --client-id svc --auth-method tls_client_auth --cert client.pem --key client-key.pem',
    '<%= config.bin %> profiles add dpop --issuer https://idp.example.com --client-id cli-app --auth-method none --dpop',
  ]

  static override args = { name: Args.string({ description: 'Profile name.', required: true }) }

  static override flags = {
    provider: Flags.string({ summary: 'Vendor preset.', options: [...PROVIDERS] }),
    issuer: Flags.string({ summary: 'Issuer URL; endpoints are discovered from it.' }),
    'authorization-endpoint': Flags.string({ summary: 'Authorization endpoint URL.' }),
    'token-endpoint': Flags.string({ summary: 'Token endpoint URL.' }),
    'revocation-endpoint': Flags.string({ summary: 'Revocation endpoint URL (RFC 7009).' }),
    'introspection-endpoint': Flags.string({ summary: 'Introspection endpoint URL (RFC 7662).' }),
    'device-endpoint': Flags.string({ summary: 'Device authorization endpoint URL (RFC 8628).' }),
    'par-endpoint': Flags.string({ summary: 'Pushed authorization request endpoint URL (RFC 9126).' }),
    'client-id': Flags.string({ summary: 'OAuth client id.' }),
    'client-secret-stdin': Flags.boolean({ summary: 'Read the client secret from stdin (for Persona: the organisation API key).' }),
    'auth-method': Flags.string({ summary: 'Client authentication at the token endpoint.', options: [...AUTH_METHODS] }),
    'basic-encoding': Flags.string({
      summary: 'How client_secret_basic encodes id and secret: form (RFC 6749, the default for generic profiles) or raw base64(id:secret), as many servers and the Genesys Cloud and APIMatic presets expect.',
      options: [...BASIC_ENCODINGS],
    }),
    'private-key': Flags.string({ summary: 'Private key file (PEM or JWK) for private_key_jwt, jwt_bearer and signed requests (login --request-object).' }),
    dpop: Flags.boolean({ summary: "Bind this profile's tokens to a DPoP key (RFC 9449), created in secret storage on first use; --no-dpop stops.", allowNo: true }),
    cert: Flags.string({ summary: 'Client certificate (PEM) for mutual TLS (RFC 8705): tls_client_auth and certificate-bound tokens.' }),
    key: Flags.string({ summary: 'Private key (PEM) of --cert.' }),
    scope: Flags.string({ summary: 'Default scope (repeatable).', multiple: true }),
    audience: Flags.string({ summary: 'Default audience.' }),
    resource: Flags.string({ summary: 'Default resource indicator URL.' }),
    'redirect-port': integerFlag('a port number', { summary: 'Loopback port for login redirects.', min: 1, max: 65535 }),
    'resource-url': Flags.string({ summary: 'An API URL: discover its authorization server (RFC 9728), register a public client there unless --client-id is given (RFC 7591), and use the URL as resource indicator.', exclusive: ['token-endpoint', 'resource'] }),
    'redirect-uri': Flags.string({ summary: 'Loopback redirect URI the client has registered, e.g. http://localhost:8000/oauth/callback (127.0.0.1, [::1] or localhost; any path; port optional).' }),
    param: Flags.string({ summary: 'Extra request parameter KEY=VALUE sent with token requests (repeatable).', multiple: true }),
    ...vendorFieldFlags(),
    'password-stdin': Flags.boolean({ summary: 'Read that admin user\'s password from stdin (stored in secret storage).', exclusive: ['client-secret-stdin'] }),
    default: Flags.boolean({ summary: 'Make this the default profile.' }),
    'refresh-discovery': Flags.boolean({ summary: 'Fetch the discovery document again.' }),
  }

  async run(): Promise<void> {
    const f = this.flags
    const clientSecret = f['client-secret-stdin'] ? await readStdin('--client-secret-stdin') : await this.askSecret()
    const adminPassword = f['password-stdin'] ? await readStdin('--password-stdin') : undefined
    const deps = { configDir: this.rt.configDir, http: () => this.rt.http(), store: () => this.rt.store() }
    const resourceUrl = f['resource-url']
    // An API known by its URL: its authorization server and client come from RFC 9728 discovery and RFC 7591 registration.
    const result = resourceUrl
      ? await resourceProfile({ resource: resourceUrl, name: this.args.name, issuer: f.issuer, clientId: f['client-id'], redirectUri: f['redirect-uri'], scopes: f.scope }, deps)
      : await addProfile(this.profileInput(clientSecret, adminPassword), deps)
    // The discovery document stays in config.json: profiles show says when it was fetched.
    const { discovery: _discovery, ...settings } = result.profile
    this.output<JsonDocument<'profiles add'>>(
      {
        name: result.name,
        created: result.created,
        default: result.isDefault,
        discovered: result.discovered,
        secretStored: result.secretStored,
        tokensDropped: result.tokensDropped,
        profile: settings,
        endpoints: profileEndpoints(result.profile),
      },
      (r) =>
        [
          `${r.created ? 'added' : 'updated'} profile ${r.name}${r.default ? ' (default)' : ''}`,
          r.discovered ? `discovered endpoints from ${r.profile.issuer}` : undefined,
          r.secretStored ? `client secret stored in ${this.rt.storageChoice(r.profile).kind}` : undefined,
          r.tokensDropped ? `${r.tokensDropped} cached token set${r.tokensDropped === 1 ? '' : 's'} dropped: the DPoP or client certificate setting changed` : undefined,
        ]
          .filter(Boolean)
          .map((line) => `${line}`)
          .join('\n'),
    )
  }

  /**
   * The secret of a client that needs one, at a hidden prompt on a terminal (SPEC.md), unless
   * OAUTHCTL_CLIENT_SECRET provides it; elsewhere a warning says how to store it.
   */
  private async askSecret(): Promise<string | undefined> {
    if (!usesClientSecret(this.flags['auth-method'] as AuthMethod | undefined, this.flags.provider) || this.rt.env.OAUTHCTL_CLIENT_SECRET) return undefined
    if (!canPrompt(this.rt.env)) {
      this.rt.warn(`no client secret stored for ${this.args.name}: pipe it in with printf %s "$SECRET" | oauthctl profiles add ${this.args.name} --client-secret-stdin`)
      return undefined
    }
    const secret = await promptSecret(`Client secret for ${this.args.name}`)
    if (!secret) throw usageError('no client secret was typed: nothing was changed', { code: 'empty_secret' })
    return secret
  }

  /** What the flags say about the profile, for addProfile. */
  private profileInput(clientSecret: string | undefined, adminPassword: string | undefined): Parameters<typeof addProfile>[0] {
    const f = this.flags
    return {
      name: this.args.name,
      fields: {
        provider: f.provider,
        issuer: f.issuer,
        endpoints: {
          authorization: f['authorization-endpoint'],
          token: f['token-endpoint'],
          revocation: f['revocation-endpoint'],
          introspection: f['introspection-endpoint'],
          device: f['device-endpoint'],
          par: f['par-endpoint'],
        },
        clientId: f['client-id'],
        authMethod: f['auth-method'] as AuthMethod | undefined,
        basicEncoding: f['basic-encoding'] as BasicEncoding | undefined,
        privateKeyPath: f['private-key'],
        scopes: f.scope,
        audience: f.audience,
        resource: f.resource,
        redirectPort: f['redirect-port'],
        redirectUri: f['redirect-uri'],
        params: f.param ? parseKeyValues(f.param, '--param') : undefined,
        region: f.region,
        host: f.host,
        username: f.username,
        dpop: f.dpop,
        tlsCert: f.cert,
        tlsKey: f.key,
      },
      clientSecret,
      adminPassword,
      makeDefault: f.default,
      refreshDiscovery: f['refresh-discovery'],
      storage: f.storage as StorageKind | undefined,
    }
  }
}
