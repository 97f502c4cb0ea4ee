import { Flags } from '@oclif/core'
import { z } from 'zod'
import { BaseCommand, integerFlag } from '../cli/base-command.js'
import { readJsonFile } from '../lib/config/json-file.js'
import { usageError } from '../lib/errors.js'
import type { JsonDocument } from '../lib/documents/json-schemas.js'
import type { SandboxClient } from '../lib/sandbox/server.js'
import { DEFAULT_SANDBOX_PORT, tryLines } from '../lib/sandbox/try-lines.js'

const ClientsFileSchema = z.array(z.object({ client_id: z.string().min(1) }).loose()).min(1)

export default class Sandbox extends BaseCommand<typeof Sandbox> {
  static override summary = 'Run a local OpenID provider on 127.0.0.1 with demo clients and a demo user.'
  static override description = `For trying oauthctl with no account anywhere, and for testing your own apps. It listens on 127.0.0.1:${DEFAULT_SANDBOX_PORT} unless --port says otherwise (a fixed port: profiles made against it keep working after a restart), prints its issuer, its client ids and lines to try, then serves until Ctrl-C.
Demo clients: demo-confidential (client_secret_basic; client credentials, code, refresh), demo-post (client_secret_post; client credentials), demo-public (public, PKCE), demo-device (device flow). Log in as any user name (try "demo") on its development login page.
--demo runs a token get + token inspect round trip against it and exits.`

  static override examples = [
    { description: 'The round trip, then exit', command: '<%= config.bin %> sandbox --demo' },
    { description: `On port ${DEFAULT_SANDBOX_PORT} (the default), printing lines to try`, command: '<%= config.bin %> sandbox' },
    { description: 'A server for your own app, on another port', command: '<%= config.bin %> sandbox --port 9000' },
    { description: 'Your own clients (oidc-provider client metadata, a JSON array)', command: '<%= config.bin %> sandbox --clients clients.json' },
  ]

  static override flags = {
    port: integerFlag('a port number', {
      summary: `Port on 127.0.0.1 (default ${DEFAULT_SANDBOX_PORT}, so that profiles made against it keep working after a restart; 0 for any free port).`,
      min: 0,
      max: 65535,
      default: DEFAULT_SANDBOX_PORT,
    }),
    clients: Flags.string({ summary: 'JSON file with an array of client metadata to register instead of the demo clients.' }),
    demo: Flags.boolean({ summary: 'Run a token get + token inspect round trip against the sandbox and exit.' }),
  }

  async run(): Promise<void> {
    if (this.flags.demo) {
      const { runDemo } = await import('../lib/sandbox/demo.js')
      const result = await runDemo((line) => (this.flags.json ? this.rt.info(line) : process.stdout.write(`${line}\n`)))
      if (this.flags.json) this.output<JsonDocument<'sandbox --demo'>>(result, () => undefined)
      else process.stdout.write('demo finished: the sandbox is stopped and the temporary profile removed\n')
      return
    }
    const clients = this.flags.clients ? await loadClients(this.flags.clients) : undefined
    const { startSandbox } = await import('../lib/sandbox/server.js')
    let sandbox
    try {
      sandbox = await startSandbox({ port: this.flags.port, clients })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw usageError(`port ${this.flags.port} on 127.0.0.1 is already in use`, {
          code: 'port_in_use',
          hint: `another sandbox may be running there already (profiles made against it work with it); else pick a port: oauthctl sandbox --port N (0 for any free port)`,
        })
      }
      throw err
    }
    const summary: JsonDocument<'sandbox'> = {
      issuer: sandbox.issuer,
      clients: sandbox.clients.map((c) => ({ clientId: c.client_id, clientSecret: c.client_secret, grantTypes: c.grant_types ?? [] })),
      try: tryLines(sandbox, sandbox.clients),
    }
    this.output(summary, (s) =>
      [
        `issuer: ${s.issuer}`,
        ...s.clients.map((c) => `client: ${c.clientId}${c.clientSecret ? ` (secret: ${c.clientSecret})` : ' (public)'} grants: ${c.grantTypes.join(', ')}`),
        ...s.try.map((line) => `try: ${line}`),
      ].join('\n'),
    )
    this.rt.info('serving until Ctrl-C')
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await sandbox.close()
  }
}

async function loadClients(path: string): Promise<SandboxClient[]> {
  return (await readJsonFile(path, ClientsFileSchema, 'bad_clients_file')) as SandboxClient[]
}
