import { Flags } from '@oclif/core'
import { BaseCommand, integerFlag } from '../cli/base-command.js'
import { parseKeyValues } from '../cli/input.js'
import { advancedRequestFlags, advancedRequestOptions } from '../cli/token-flags.js'
import { openInBrowser } from '../lib/login/browser.js'
import { DEFAULT_LOGIN_TIMEOUT_SECONDS, LOGIN_FLOWS, login, type LoginFlow } from '../lib/use-cases/login.js'
import { resourceProfile } from '../lib/use-cases/resource-profile.js'
import { describeLogin } from '../lib/login/store-login.js'
import type { JsonDocument } from '../lib/documents/json-schemas.js'

export default class Login extends BaseCommand<typeof Login> {
  static override summary = 'Log in interactively: in a browser (code, implicit) or with a code on another device.'
  static override description = `--flow code (the default) opens the authorization server's login page in your browser and receives the answer on http://127.0.0.1:PORT/callback (PKCE S256, state, and a nonce when openid is in scope). --flow device prints a URL and a code to enter on any device; use it over SSH or where no browser can reach this machine. --flow implicit is legacy, for servers that offer nothing else. --flow manual prints the URL and reads back the URL the browser was redirected to (paste it; nothing needs to listen), for machines no browser or port forward can reach.
--redirect-uri (or profiles add --redirect-uri) sets the loopback redirect the client has registered: http://127.0.0.1, http://[::1] or http://localhost, any path, with a fixed port or none (any free one); the listener binds loopback only (for localhost both 127.0.0.1 and ::1).
--resource URL logs in to an API known only by its URL: its metadata (RFC 9728) names the authorization server, a public client is registered there when the profile has none (RFC 7591), and the profile is saved with the URL as resource indicator (RFC 8707).
The tokens are stored where token get finds them (per profile and scope set); a summary of who logged in goes to stderr. Timing out (--timeout) or Ctrl-C stores nothing and closes the port.
Without a display, over SSH or in WSL no browser is opened: the URL is printed, over SSH with the ssh -L line that carries the redirect back. BROWSER is honoured.
--par pushes the request to the server first (RFC 9126), so the browser gets only client_id and request_uri; this is automatic when the server's metadata requires it. --request-object signs the request with the profile's private key (JAR, RFC 9101). --dpop binds the tokens to the profile's DPoP key (RFC 9449); --authorization-details asks for a rich authorization request (RFC 9396).`

  static override examples = [
    { description: 'Log in with the profile\'s scopes', command: '<%= config.bin %> login' },
    { description: 'On a fixed port the client has registered, with extra scopes', command: '<%= config.bin %> login --port 8765 --scope openid --scope offline_access' },
    { description: 'Over SSH or in a container', command: '<%= config.bin %> login --flow device' },
    { description: 'A client registered with http://localhost:8000/oauth/callback', command: '<%= config.bin %> login --redirect-uri http://localhost:8000/oauth/callback' },
    { description: 'No browser and no port forward: paste the redirected URL back', command: '<%= config.bin %> login --flow manual' },
    { description: 'Log in to an API by its URL (MCP-style)', command: '<%= config.bin %> login --resource https://api.example.com -p api' },
    { description: 'Force the consent screen', command: '<%= config.bin %> login --param prompt=consent' },
    { description: 'Pushed and signed request, DPoP-bound tokens', command: '<%= config.bin %> login --par --request-object --dpop' },
  ]

  static override flags = {
    flow: Flags.string({ summary: 'How to log in: code, implicit, device, or manual (paste the redirected URL back).', options: LOGIN_FLOWS, default: 'code' }),
    scope: Flags.string({ summary: 'Scope to request (repeatable; default: the profile\'s scopes).', multiple: true }),
    port: integerFlag('a port number', { summary: 'Loopback port for the redirect (default: the profile\'s redirectPort, else any free port).', min: 1, max: 65535 }),
    'redirect-uri': Flags.string({ summary: 'Loopback redirect URI the client has registered: http://127.0.0.1, http://[::1] or http://localhost, any path, [:PORT] (default: the profile\'s, else http://127.0.0.1/callback).' }),
    'no-open': Flags.boolean({ summary: 'Print the URL instead of opening a browser.' }),
    timeout: integerFlag('a number of seconds', { summary: 'Seconds to wait for the login to complete.', default: DEFAULT_LOGIN_TIMEOUT_SECONDS, min: 1, max: 86_400 }),
    param: Flags.string({ summary: 'Extra authorization request parameter KEY=VALUE (repeatable).', multiple: true }),
    par: Flags.boolean({ summary: 'Push the authorization request first (PAR, RFC 9126): the browser gets only client_id and request_uri.' }),
    'request-object': Flags.boolean({ summary: "Sign the authorization request with the profile's private key (JAR, RFC 9101)." }),
    resource: Flags.string({ summary: "Log in to an API by its URL: its metadata (RFC 9728) names the authorization server, a client is registered there if needed (RFC 7591), and the profile (-p, or named after the API's host) is saved with it as resource indicator." }),
    issuer: Flags.string({ summary: 'With --resource: the authorization server to use, when the API names several.', dependsOn: ['resource'] }),
    ...advancedRequestFlags(),
  }

  async run(): Promise<void> {
    if (this.flags.resource) {
      const prepared = await resourceProfile(
        { resource: this.flags.resource, name: this.rt.options.profile, issuer: this.flags.issuer, redirectUri: this.flags['redirect-uri'], scopes: this.flags.scope },
        { configDir: this.rt.configDir, http: () => this.rt.http(), store: () => this.rt.store() },
      )
      this.rt.info(`${prepared.profile.resource} uses ${prepared.issuer}${prepared.registered ? ` (client ${prepared.profile.clientId} registered)` : ''}; profile ${prepared.name}`)
      // The login below is for that profile.
      this.rt.options.profile = prepared.name
    }
    const summary = await login(
      {
        flow: this.flags.flow as LoginFlow,
        scopes: this.flags.scope ?? [],
        port: this.flags.port,
        redirectUri: this.flags['redirect-uri'],
        open: !this.flags['no-open'],
        timeoutSeconds: this.flags.timeout,
        params: parseKeyValues(this.flags.param, '--param'),
        request: { par: this.flags.par, requestObject: this.flags['request-object'] },
        ...(await advancedRequestOptions(this.flags)),
      },
      {
        ...(await this.rt.tokenContext()),
        ui: {
          info: (line) => this.rt.info(line),
          // The authorization URL is ours, with no secret in it; redacting would break a request object (JAR) it carries.
          url: (line) => this.rt.io.stderr(`${line}\n`),
          warn: (line) => this.rt.warn(line),
          progress: this.rt.progress,
        },
        openUrl: (url) => openInBrowser(url, this.rt.env),
        interrupts: process,
        input: process.stdin,
      },
    )
    this.rt.info(describeLogin(summary))
    if (this.flags.json) this.output<JsonDocument<'login'>>(summary, () => undefined)
  }
}
