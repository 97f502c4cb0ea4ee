import { type Command, Flags } from '@oclif/core'
import { BaseCommand, integerFlag } from './base-command.js'
import { canPrompt, promptConfirm, promptSecret } from './input.js'
import type { Runtime } from './runtime.js'
import { usageError } from '../lib/errors.js'
import type { DryRunJson, IssuedJson } from '../lib/documents/json-schemas.js'
import { renderTable } from '../lib/output/table.js'
import { redactJson } from '../lib/redact.js'
import { nowSeconds } from '../lib/tokens/cache.js'
import { openBackend, withProfileToken } from '../lib/use-cases/admin.js'
import { DEFAULT_DELIVER_TIMEOUT_S, deliverSecret, type HandOver, planHandOver, recoveryEntry, verifySecret, withRecoveryHint } from '../lib/use-cases/deliver-secret.js'
import { type SavedProfile, saveClientProfile } from '../lib/use-cases/save-client-profile.js'
import type { AdminBackend, AdminClient, AdminContext, Authorization, IssuedClient, Mutation, PlannedRequest, Scope, UsageReport } from '../lib/admin/types.js'

export const dryRunFlag = Flags.boolean({ summary: 'Print the requests that would change something and send none of them (reads still happen).' })

/** The flags `clients create` and `clients update` share. */
export const specFlags = {
  name: Flags.string({ summary: 'Client name.' }),
  description: Flags.string({ summary: 'Client description.' }),
  'redirect-uri': Flags.string({ summary: 'Redirect URI (repeatable).', multiple: true }),
  'grant-type': Flags.string({ summary: 'Grant type, e.g. authorization_code, client_credentials (repeatable where the server allows several).', multiple: true }),
  scope: Flags.string({ summary: 'Scope the client may ask for (repeatable).', multiple: true }),
  'token-ttl': integerFlag('a number of seconds', { summary: 'Access token lifetime, seconds.', min: 1 }),
  'role-division': Flags.string({ summary: 'Genesys Cloud role in a division, ROLE_ID:DIVISION_ID (repeatable; client-credentials clients).', multiple: true }),
  'from-file': Flags.string({
    summary: "JSON file with the fields (name, description, redirectUris, grantTypes, scopes, tokenTtl, roleDivisions), or the back end's own client document (what clients get ID --json --native prints); flags override it.",
    helpValue: 'FILE',
  }),
  'dry-run': dryRunFlag,
}

/** Genesys Cloud's localised scope descriptions: sent as Accept-Language. */
export const langFlag = Flags.string({ summary: 'Language of the descriptions, a language tag such as de or de-de (Accept-Language; default en-us).', helpValue: 'TAG' })

export const yesFlag = Flags.boolean({ char: 'y', summary: 'Go ahead without asking (needed when stdin is not a terminal).' })
export const saveProfileFlag = Flags.string({
  summary: 'Store the new secret in secret storage for profile NAME (created, or pointed at this client) instead of printing it.',
  helpValue: 'NAME',
})

/** `--deliver`, for every command that hands over a new secret (create, rotate-secret, recover-secret). */
export const deliverFlags = {
  deliver: Flags.string({
    summary: "Run CMD (no shell; quoted like a shell) with the new secret on its stdin instead of printing it; if it fails, the secret waits for clients recover-secret.",
    helpValue: "'CMD ARGS'",
  }),
  'deliver-timeout': integerFlag('a number of seconds', { summary: `Seconds --deliver's command may take (default ${DEFAULT_DELIVER_TIMEOUT_S}).`, min: 1, helpValue: 'SECONDS', dependsOn: ['deliver'] }),
}
export const verifyFlag = Flags.boolean({
  summary: "Prove the new secret gets a token (client_credentials at the profile's token endpoint) before handing it over; if not, exit 4 and the secret waits for clients recover-secret.",
})

export interface Admin {
  ctx: AdminContext
  backend: AdminBackend
}

/** The admin context for the command's profile, and the back end its provider names. */
export async function openAdmin(rt: Runtime): Promise<Admin> {
  const ctx = await adminContext(rt)
  return { ctx, backend: await openBackend(ctx) }
}

/** What an admin API call needs from the command run: the profile, HTTP, secret storage, a prompt on a terminal. */
export async function adminContext(rt: Runtime): Promise<AdminContext> {
  const { name, profile } = await rt.profile()
  return withProfileToken({
    profileName: name,
    profile,
    http: await rt.http(),
    store: () => rt.store(profile),
    env: rt.env,
    configDir: rt.configDir,
    now: nowSeconds,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    warn: (message) => rt.warn(message),
    promptSecret: canPrompt(rt.env) ? (message) => rt.prompt(() => promptSecret(message)) : undefined,
  })
}

/** Destructive commands ask on a terminal; elsewhere they need --yes (SPEC.md). */
export async function confirmChange(rt: Runtime, yes: boolean, question: string): Promise<void> {
  if (yes) return
  if (!canPrompt(rt.env)) throw usageError('this needs confirmation, and stdin is not a terminal (or CI is set)', { code: 'confirmation_required', hint: 'pass --yes' })
  if (!(await promptConfirm(question))) throw usageError('not confirmed: nothing was changed', { code: 'not_confirmed' })
}

/** `--dry-run` output: the requests, bodies redacted like everything else printed. */
export const dryRunDocument = (requests: PlannedRequest[]): DryRunJson => ({
  dryRun: true,
  requests: requests.map((r) => (r.body === undefined ? r : { ...r, body: redactJson(r.body) })),
})

export function renderPlan(doc: DryRunJson): string {
  if (doc.requests.length === 0) return 'dry run: nothing would be sent'
  const lines = ['dry run: would send']
  for (const r of doc.requests) {
    lines.push(`${r.method} ${r.url}`)
    if (r.body !== undefined) lines.push(JSON.stringify(r.body, null, 2))
  }
  return lines.join('\n')
}

const CLIENT_COLUMNS = [
  ['id', 'ID'],
  ['name', 'NAME'],
  ['grantTypes', 'GRANT TYPES'],
  ['redirectUris', 'REDIRECT URIS'],
  ['created', 'CREATED'],
] as const

export const renderClients = (clients: AdminClient[]) => (clients.length === 0 ? 'no clients' : renderTable(clients, CLIENT_COLUMNS))

/** `key: value` lines, leaving out what is empty. */
function renderFields(fields: ReadonlyArray<readonly [string, string | number | readonly string[] | undefined]>): string {
  return fields
    .filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)
    .join('\n')
}

export const renderClient = (c: AdminClient) =>
  renderFields([
    ['id', c.id],
    ['name', c.name],
    ['description', c.description],
    ['grant types', c.grantTypes],
    ['redirect URIs', c.redirectUris],
    ['scopes', c.scopes],
    ['token TTL', c.tokenTtl === undefined ? undefined : `${c.tokenTtl} s`],
    ['state', c.state],
    ['created', c.created],
  ])

export const renderUsage = (report: UsageReport) =>
  report.rows.length === 0
    ? `no API usage for client ${report.clientId} in ${report.interval}`
    : renderTable(report.rows, [
        ['date', 'DATE'],
        ['httpMethod', 'METHOD'],
        ['templateUri', 'TEMPLATE'],
        ['requests', 'REQUESTS'],
        ['status200', '2XX'],
        ['status300', '3XX'],
        ['status400', '4XX'],
        ['status429', '429'],
        ['status500', '5XX'],
      ])

export const renderScopes = (scopes: Scope[]) =>
  scopes.length === 0
    ? 'no scopes'
    : renderTable(scopes, [
        ['id', 'ID'],
        ['description', 'DESCRIPTION'],
      ])

export const renderScope = (scope: Scope) =>
  renderFields([
    ['id', scope.id],
    ['description', scope.description],
  ])

const AUTHORIZATION_COLUMNS = [
  ['clientId', 'CLIENT ID'],
  ['clientName', 'CLIENT NAME'],
  ['scopes', 'SCOPES'],
  ['state', 'STATE'],
  ['resourceOwner', 'GRANTED BY'],
  ['created', 'CREATED'],
] as const

export const renderAuthorizations = (authorizations: Authorization[]) =>
  authorizations.length === 0 ? 'no authorizations' : renderTable(authorizations, AUTHORIZATION_COLUMNS)

export const renderAuthorization = (a: Authorization) => renderFields(AUTHORIZATION_COLUMNS.map(([key, heading]) => [heading.toLowerCase(), a[key]] as const))

/**
 * Commands that administer clients: the back end for the profile, and the one flow every change
 * takes (dry run, confirmation, apply) and the one way a new secret leaves (stdout once, or a profile).
 */
export abstract class AdminCommand<T extends typeof Command> extends BaseCommand<T> {
  protected admin(): Promise<Admin> {
    return openAdmin(this.rt)
  }

  /** The mutation's result, or undefined after printing what `--dry-run` would have sent. */
  protected async change<R>(mutation: Mutation<R>, options: { dryRun: boolean; confirm?: { yes: boolean; question: string } }): Promise<R | undefined> {
    if (options.dryRun) {
      this.output(dryRunDocument(mutation.requests), renderPlan)
      return undefined
    }
    // Nothing to send (already gone, nothing to change) needs no confirmation.
    if (options.confirm && mutation.requests.length > 0) await confirmChange(this.rt, options.confirm.yes, options.confirm.question)
    return mutation.apply()
  }

  /** The hand-over `--deliver`/`--verify` ask for, checked (with the storage that would keep the secret) before anything is sent. */
  protected handOver(admin: Admin, flags: { deliver?: string; 'deliver-timeout'?: number; verify?: boolean }): HandOver {
    return planHandOver(flags, this.rt.storageChoice(admin.ctx.profile).kind)
  }

  /**
   * A new secret goes to stdout once, or with --save-profile into secret storage and never to
   * stdout. With --deliver or --verify (and always for recover-secret) it is first kept in a
   * recovery entry, then verified, delivered, saved, and the entry dropped only when all that worked.
   */
  protected async deliver(admin: Admin, issued: IssuedClient, saveProfile: string | undefined, handOver?: HandOver & { recovering?: boolean }): Promise<void> {
    const { secret } = issued
    if (secret === undefined && handOver?.command) this.rt.warn(`${issued.client.id} is a public client with no secret: nothing was run`)
    if (secret === undefined || !(handOver?.command || handOver?.verify || handOver?.recovering)) return this.saveOrPrint(admin, issued, saveProfile)
    const { profileName } = admin.ctx
    const recovery = recoveryEntry(await admin.ctx.store(), profileName, issued.client.id)
    const withSecret = { ...issued, secret }
    if (!handOver.recovering) {
      try {
        await recovery.keep(withSecret)
      } catch (err) {
        this.printAsLastResort(issued, 'it could not be kept for recovery')
        throw err
      }
    }
    let saved: SavedProfile | undefined
    let verified: string | undefined
    try {
      if (handOver.verify) verified = await verifySecret(admin, withSecret)
      if (verified) this.rt.info(`verified: the new secret got a token from ${verified}`)
      if (handOver.command) {
        await deliverSecret(handOver.command, secret, this.rt.env, handOver.timeoutMs)
        this.rt.info(`delivered to ${handOver.command[0]}`)
      }
      if (saveProfile) saved = await this.saveProfile(admin, issued, saveProfile)
    } catch (err) {
      throw withRecoveryHint(err, profileName, issued.client.id)
    }
    if (!handOver.command && !saved) this.printSecret(issued)
    else {
      const delivered = handOver.command?.[0]
      this.output<IssuedJson>({ client: issued.client, delivered, verified: verified !== undefined, savedProfile: saved }, (r) =>
        [renderClient(r.client), saved ? savedLine(saved, true) : undefined].filter((line) => line !== undefined).join('\n'),
      )
    }
    await recovery.drop()
  }

  private saveProfile(admin: Admin, issued: IssuedClient, name: string): Promise<SavedProfile> {
    return saveClientProfile(
      { name, issued, backend: admin.backend, admin: admin.ctx },
      { configDir: this.rt.configDir, http: () => this.rt.http(), store: () => this.rt.store(admin.ctx.profile) },
    )
  }

  private printSecret(issued: IssuedClient): void {
    this.output<IssuedJson>({ client: issued.client, secret: issued.secret }, (r) => [renderClient(r.client), r.secret === undefined ? 'no secret (public client)' : `secret: ${r.secret}`].join('\n'))
    if (issued.secret !== undefined) this.rt.info('the secret is shown this once: store it now (or use --save-profile NAME)')
  }

  /** The server has issued the secret and will not show it again: losing it is worse than printing it. */
  private printAsLastResort(issued: IssuedClient, why: string): void {
    if (issued.secret === undefined) return
    this.rt.warn(`${why}, so the new secret is printed on stdout instead`)
    this.output<IssuedJson>({ client: issued.client, secret: issued.secret }, (r) => `secret: ${r.secret}`)
  }

  private async saveOrPrint(admin: Admin, issued: IssuedClient, saveProfile: string | undefined): Promise<void> {
    if (!saveProfile) return this.printSecret(issued)
    let saved: SavedProfile
    try {
      saved = await this.saveProfile(admin, issued, saveProfile)
    } catch (err) {
      this.printAsLastResort(issued, `saving profile ${saveProfile} failed`)
      throw err
    }
    this.output<IssuedJson>({ client: issued.client, savedProfile: saved }, (r) => [renderClient(r.client), savedLine(saved, issued.secret !== undefined)].join('\n'))
  }
}

const savedLine = (saved: SavedProfile, withSecret: boolean) => `${saved.created ? 'created' : 'updated'} profile ${saved.name}${withSecret ? ' with the secret in secret storage' : ''}`
