import { z } from 'zod'
import { AuthMethodSchema, ProfileSchema, type StorageKind } from '../config/schema.js'
import { CliError, isCliError, usageError } from '../errors.js'
import { runChild, withoutSecrets } from '../integrations/exec.js'
import { withDiscovery } from '../oauth/discovery.js'
import { sessionFor } from '../vendors/registry.js'
import { registerSecret } from '../redact.js'
import { secretKeys } from '../storage/keys.js'
import type { SecretStore } from '../storage/types.js'
import { clientProfileFields } from './save-client-profile.js'
import { type AdminBackend, AdminClientSchema, type AdminContext, type IssuedClient } from '../admin/types.js'

/** How a new secret leaves besides stdout: `--deliver` (argv, bounded), `--verify`. */
export interface HandOver {
  command?: string[]
  timeoutMs: number
  verify: boolean
}

export const DEFAULT_DELIVER_TIMEOUT_S = 60

const SHELL_OPERATORS = /[|;&<>`]/

/**
 * `--deliver 'CMD ARGS'` as argv, quoted as a shell would (single and double quotes, backslash),
 * but nothing expanded and no shell run: an unquoted pipe, list or redirection is refused, since
 * without a shell it would reach CMD as an argument.
 */
export function splitCommand(line: string): string[] {
  const bad = (what: string) => usageError(`--deliver: ${what}`, { code: 'bad_flag' })
  const words: string[] = []
  let word: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string
    if (c === '\\') {
      if (i + 1 >= line.length) throw bad('ends with a backslash')
      word = (word ?? '') + line[++i]
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1)
      if (end < 0) throw bad("unclosed '")
      word = (word ?? '') + line.slice(i + 1, end)
      i = end
    } else if (c === '"') {
      let value = ''
      for (i++; i < line.length && line[i] !== '"'; i++) value += line[i] === '\\' && /["\\$`]/.test(line[i + 1] ?? '') ? line[++i] : line[i]
      if (i >= line.length) throw bad('unclosed "')
      word = (word ?? '') + value
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else if (SHELL_OPERATORS.test(c)) {
      throw usageError(`--deliver runs CMD without a shell, so ${c} cannot be used there`, {
        code: 'bad_flag',
        hint: `for a pipeline, run a shell yourself: --deliver "sh -c 'CMD1 | CMD2'"`,
      })
    } else {
      word = (word ?? '') + c
    }
  }
  if (word !== undefined) words.push(word)
  if (words.length === 0) throw bad('needs a command, e.g. --deliver "vault kv put secret/app client_secret=-"')
  return words
}

/**
 * The hand-over the flags ask for, checked before anything is sent: a bad command found after the
 * server issued the secret would cost a recovery, and without persistent storage there is none.
 */
export function planHandOver(flags: { deliver?: string; 'deliver-timeout'?: number; verify?: boolean }, storage: StorageKind): HandOver {
  const command = flags.deliver === undefined ? undefined : splitCommand(flags.deliver)
  const verify = flags.verify ?? false
  if ((command || verify) && storage === 'none') {
    throw usageError(`${command ? '--deliver' : '--verify'} needs secret storage to keep the new secret if it fails, and storage is none`, {
      code: 'no_recovery_storage',
      hint: 'use --storage keychain or --storage file (or OAUTHCTL_STORAGE)',
    })
  }
  return { command, timeoutMs: (flags['deliver-timeout'] ?? DEFAULT_DELIVER_TIMEOUT_S) * 1000, verify }
}

/** `create --verify` needs a client that can use client credentials: refused before it is created. */
export function checkVerifiable(grantTypes: readonly string[] | undefined): void {
  if (grantTypes?.some((g) => g.toLowerCase().replaceAll('-', '_') === 'client_credentials')) return
  throw usageError('--verify proves a secret with a client_credentials request, and this client is not given that grant', {
    code: 'bad_flag',
    hint: 'add --grant-type client_credentials, or leave out --verify',
  })
}

/**
 * Run the command with the secret on its stdin (then closed), and our environment minus our own
 * secrets. Anything but exit 0 within the time allowed is a failed delivery (exit 7).
 */
export async function deliverSecret(command: string[], secret: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  const name = command[0] as string
  const signal = AbortSignal.timeout(timeoutMs)
  let code: number
  try {
    code = await runChild(command, withoutSecrets(env), { input: secret, signal })
  } catch (err) {
    if (signal.aborted) throw new CliError('delivery_failed', `delivery to ${name} did not finish within ${timeoutMs / 1000} s (stopped)`, { code: 'delivery_timeout' })
    // 127/126 as exec reports them: the message says which, the exit code says a secret is waiting.
    const reason = isCliError(err) && err.code === 'command_not_found' ? `${name}: command not found (127)` : isCliError(err) ? err.message : String(err)
    throw new CliError('delivery_failed', `delivery failed: ${reason}`, { code: 'delivery_failed', cause: err })
  }
  if (code !== 0) throw new CliError('delivery_failed', `delivery failed: ${name} exited with ${code}`, { code: 'delivery_failed' })
}

/**
 * `--verify`: a client_credentials request with the new secret at the token endpoint of the admin
 * profile's server, authenticating as `--save-profile` would store it: proof that `token get`
 * with the secret will work, not only that the admin API accepted the rotation.
 */
export async function verifySecret(admin: { ctx: AdminContext; backend: AdminBackend }, issued: IssuedClient & { secret: string }): Promise<string> {
  const { ctx, backend } = admin
  const profile = await withDiscovery(ProfileSchema.parse(clientProfileFields(ctx.profile, issued, backend)), ctx.http)
  const session = sessionFor(profile, ctx.http, { value: issued.secret, source: 'storage' })
  const endpoint = session.as.token_endpoint ?? session.as.issuer
  try {
    await session.grant('client_credentials', new URLSearchParams())
  } catch (err) {
    throw new CliError('server_refused', `--verify: the new secret got no token from ${endpoint}: ${isCliError(err) || err instanceof Error ? err.message : String(err)}`, {
      code: 'verify_failed',
      httpStatus: isCliError(err) ? err.httpStatus : undefined,
      cause: err,
    })
  }
  return endpoint
}

/** What a recovery entry holds: enough to print the secret again, deliver it, or save it as a profile. */
const RecoverySchema = z.object({ client: AdminClientSchema, secret: z.string().min(1), authMethod: AuthMethodSchema.optional() })

/**
 * The recovery entry of one client under the admin profile. Written before the secret is handed
 * over (so not even a crash mid-delivery loses it), deleted only after the hand-over succeeded.
 */
export function recoveryEntry(store: SecretStore, profileName: string, clientId: string) {
  const key = secretKeys.recovery(profileName, clientId)
  return {
    keep: (issued: IssuedClient & { secret: string }) => store.set(key, JSON.stringify({ client: issued.client, secret: issued.secret, authMethod: issued.authMethod })),
    drop: () => store.delete(key),
    async read(): Promise<IssuedClient & { secret: string }> {
      const stored = await store.get(key)
      const parsed = stored === undefined ? undefined : RecoverySchema.safeParse(safeJson(stored))
      if (!parsed?.success) {
        throw new CliError('auth_required', `nothing to recover for client ${clientId} in profile ${profileName}`, {
          code: 'nothing_to_recover',
          hint: 'a secret is kept only when --deliver or --verify failed, until it is recovered once',
        })
      }
      registerSecret(parsed.data.secret)
      return parsed.data
    },
  }
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The one line every failure after the secret was issued ends with: how to get it back. */
export const recoveryHint = (profileName: string, clientId: string) =>
  `the new secret is kept in secret storage: oauthctl clients recover-secret -p ${profileName} ${clientId} prints it (--deliver 'CMD' retries the delivery, --save-profile NAME stores it)`

/** A failure after the secret was issued, carrying the recovery hint (its kind, so its exit code, unchanged). */
export function withRecoveryHint(err: unknown, profileName: string, clientId: string): CliError {
  const hint = recoveryHint(profileName, clientId)
  if (isCliError(err)) return new CliError(err.kind, err.message, { code: err.code, httpStatus: err.httpStatus, cause: err, hint })
  return new CliError('internal', err instanceof Error ? err.message : String(err), { cause: err, hint })
}
