import { readFileSync } from 'node:fs'
import type { z } from 'zod'
import { DoctorCheckSchema, DoctorReportSchema } from '../documents/json-schemas.js'
import { credentialsFile } from '../config/paths.js'
import type { ResolvedProfile } from '../config/profiles.js'
import type { Discovery, Profile } from '../config/schema.js'
import type { Edges } from './edges.js'
import { CliError, usageError } from '../errors.js'
import { checkProxyVariables, describeProxy, proxyRoute } from '../http/proxy.js'
import { discover } from '../oauth/discovery.js'
import { effectiveEndpoints } from '../oauth/endpoints.js'
import { checkTransport } from '../http/transport.js'
import { sanitizeInline } from '../output/sanitize.js'
import { redactText } from '../redact.js'
import type { StorageChoice } from '../storage/index.js'

export type DoctorCheck = z.infer<typeof DoctorCheckSchema>
export type DoctorReport = z.infer<typeof DoctorReportSchema>

export interface DoctorOptions {
  caFile?: string
  insecure: boolean
}

/** A check's finding; a failure carries the error a real command would exit with for the same cause. */
interface Finding {
  check: DoctorCheck
  error?: CliError
}

/** Skew beyond this makes fresh tokens look expired (or not yet valid) here: a warning. */
export const CLOCK_SKEW_WARN_SECONDS = 60

const ok = (name: DoctorCheck['name'], detail: string): Finding => ({ check: { name, result: 'ok', detail } })
const warn = (name: DoctorCheck['name'], detail: string, hint: string): Finding => ({ check: { name, result: 'warn', detail, hint } })
const fail = (name: DoctorCheck['name'], error: CliError, detail = error.message): Finding => ({
  check: { name, result: 'fail', detail: clean(detail), ...(error.hint && { hint: clean(error.hint) }) },
  error,
})
/** Server and error text goes into the report: one line, no control characters, no secret. */
const clean = (text: string) => sanitizeInline(redactText(text))

/**
 * `doctor`: the profile's storage (the one it really uses), CA and proxy settings, then its issuer
 * (reachable?), discovery document (valid?) and the server's clock (from its `Date`). The verdict,
 * when a check fails, carries the exit code of the first failure: the code the command that hit
 * the same cause would exit with (6 storage, 2 a setting, 5 the network or a bad document).
 */
export async function doctor(target: ResolvedProfile | undefined, options: DoctorOptions, edges: Edges): Promise<{ report: DoctorReport; verdict?: CliError }> {
  const profile = target?.profile
  const server = profile && serverUrl(profile)
  const findings = [await storageCheck(profile, edges), caCheck(options, edges.env), proxyCheck(server, edges.env)]
  // Broken CA or proxy settings would fail every request the same way: the server is not asked then.
  if (profile && findings.slice(1).every((f) => !f.error)) findings.push(...(await serverChecks(profile, options, edges)))
  const checks = findings.map((f) => f.check)
  const failed = findings.filter((f) => f.error)
  const first = failed[0]?.error
  const verdict =
    first &&
    new CliError(first.kind, `${failed.length} check${failed.length > 1 ? 's' : ''} failed: ${failed.map((f) => f.check.name).join(', ')}`, {
      code: first.code,
      hint: first.hint,
    })
  return { report: { profile: target?.name ?? null, configDir: edges.configDir, platform: (await isWsl()) ? 'wsl' : process.platform, checks }, verdict }
}

/** Where the profile's server is: its issuer, else its token endpoint (explicit or a vendor's). */
const serverUrl = (profile: Profile): string | undefined => profile.issuer ?? effectiveEndpoints(profile).token

const SOURCES: Record<StorageChoice['source'], string> = { flag: 'from --storage', env: 'from OAUTHCTL_STORAGE', profile: 'from the profile', default: 'the default' }

async function storageCheck(profile: Profile | undefined, edges: Edges): Promise<Finding> {
  const choice = edges.storageChoice(profile)
  const what = `${choice.kind} (${SOURCES[choice.source]})`
  switch (choice.kind) {
    case 'none':
      return ok('storage', `${what}: nothing is kept; every token get asks the server`)
    case 'file': {
      try {
        await (await edges.store(profile)).list('')
        return ok('storage', `${what}: ${credentialsFile(edges.configDir)}`)
      } catch (err) {
        if (!(err instanceof CliError)) throw err
        return fail('storage', err, `${what}: ${err.message}`)
      }
    }
    case 'keychain': {
      const keychain = await diagnoseKeychain(edges.env)
      if (keychain.available) return ok('storage', `${what}: available`)
      const error = new CliError('storage', `the keychain is unavailable: ${keychain.reason}`, { code: 'keychain_unavailable', hint: keychain.fix })
      return fail('storage', error, `${what}: unavailable: ${keychain.reason}`)
    }
  }
}

function caCheck(options: DoctorOptions, env: NodeJS.ProcessEnv): Finding {
  const files = [
    ['--ca-file', options.caFile],
    ['NODE_EXTRA_CA_CERTS', env.NODE_EXTRA_CA_CERTS],
  ].filter((f): f is [string, string] => Boolean(f[1]))
  const found: string[] = []
  for (const [origin, path] of files) {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (err) {
      const detail = `${origin} ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`
      return fail('ca', usageError(detail, { code: 'ca_file', hint: 'give a readable PEM file of the CA certificates to trust' }))
    }
    const count = text.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0
    if (count === 0) return fail('ca', usageError(`${origin} ${path}: no PEM certificate in it`, { code: 'ca_file', hint: 'the file must hold -----BEGIN CERTIFICATE----- blocks' }))
    found.push(`${origin} ${path}: ${count} certificate${count > 1 ? 's' : ''}`)
  }
  if (options.insecure) return warn('ca', 'TLS verification is off (--insecure)', 'trust the server with --ca-file PATH instead')
  return ok('ca', found.length > 0 ? found.join('; ') : 'the system roots only (no --ca-file, no NODE_EXTRA_CA_CERTS)')
}

function proxyCheck(server: string | undefined, env: NodeJS.ProcessEnv): Finding {
  try {
    checkProxyVariables(env)
    if (!server) return ok('proxy', 'no server to reach: no profile')
    const url = new URL(server)
    const route = proxyRoute(url, env)
    if (route.via === 'proxy') return ok('proxy', `${url.origin} goes through ${describeProxy(route.proxy)} (${route.variable})`)
    const why = { loopback: 'loopback addresses never use a proxy', no_proxy_set: 'no proxy variable is set', no_proxy_match: `${route.variable} has ${route.entry}` }
    return ok('proxy', `${url.origin} goes direct (${why[route.reason]})`)
  } catch (err) {
    if (!(err instanceof CliError)) throw err
    return fail('proxy', err)
  }
}

/** Issuer reachability and the clock from its answer, then discovery. Nothing more is asked of a server that does not answer. */
async function serverChecks(profile: Profile, options: DoctorOptions, edges: Edges): Promise<Finding[]> {
  const server = serverUrl(profile)
  if (!server) return [fail('issuer', usageError('the profile has neither an issuer nor a token endpoint', { code: 'no_endpoint', hint: 'oauthctl profiles add NAME --issuer URL' }))]
  const http = await edges.http()
  const before = Date.now()
  let answer
  try {
    checkTransport(server, options.insecure, 'the issuer')
    answer = await http.request({ method: 'GET', url: server, retry: 'never', what: new URL(server).host })
  } catch (err) {
    if (!(err instanceof CliError)) throw err
    return [fail('issuer', err)]
  }
  const after = Date.now()
  const findings = [ok('issuer', `${server} answered (HTTP ${answer.status}) in ${after - before} ms`)]
  if (profile.issuer) findings.push(await discoveryCheck(profile.issuer, profile.discovery, edges))
  findings.push(clockCheck(answer.headers.date, (before + after) / 2))
  return findings
}

const ENDPOINT_FIELDS = ['token_endpoint', 'authorization_endpoint', 'jwks_uri', 'userinfo_endpoint', 'introspection_endpoint', 'revocation_endpoint', 'device_authorization_endpoint']

async function discoveryCheck(issuer: string, cached: Discovery | undefined, edges: Edges): Promise<Finding> {
  let live: Discovery
  try {
    live = await discover(issuer, await edges.http())
  } catch (err) {
    if (!(err instanceof CliError)) throw err
    return fail('discovery', err)
  }
  const endpoints = ENDPOINT_FIELDS.filter((f) => typeof live.metadata[f] === 'string')
  const detail = `${live.source} is valid (issuer matches; ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'})`
  const changed = cached ? ENDPOINT_FIELDS.filter((f) => cached.metadata[f] !== live.metadata[f]) : []
  if (changed.length > 0) {
    return warn('discovery', `${detail}, but the copy kept with the profile differs: ${changed.join(', ')}`, 'refresh it: oauthctl profiles add NAME --refresh-discovery')
  }
  return ok('discovery', detail)
}

/** The server's `Date` against this machine's clock at the middle of the request (1 s resolution). */
function clockCheck(date: string | undefined, localMs: number): Finding {
  const serverMs = date ? Date.parse(date) : Number.NaN
  if (Number.isNaN(serverMs)) return warn('clock', 'the server sent no usable Date header: the clock is not checked', 'compare with a time server: chronyc tracking or timedatectl')
  const skew = Math.round((serverMs - localMs) / 1000)
  const words = skew === 0 ? "the server's clock agrees with this machine's (to the second)" : `the server's clock is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} this machine's`
  if (Math.abs(skew) > CLOCK_SKEW_WARN_SECONDS) {
    return warn('clock', words, "tokens will look expired or not yet valid here: set this machine's clock from a time server (NTP), or tell the server's operators")
  }
  return ok('clock', words)
}

export interface KeychainDiagnosis {
  available: boolean
  /** Why it is unavailable, in words. */
  reason?: string
  /** What to do about it. */
  fix?: string
}

/** is-wsl, loaded when asked: it reads /proc when first imported. */
const isWsl = async (): Promise<boolean> => (await import('is-wsl')).default

const FILE_FALLBACK = 'or use --storage file (OAUTHCTL_STORAGE=file) on machines with no keychain'

/** Probe the keychain with a write and a delete, and say in words why it fails and what to do. */
export async function diagnoseKeychain(env: NodeJS.ProcessEnv): Promise<KeychainDiagnosis> {
  const wsl = await isWsl()
  if (process.platform === 'linux' && !env.DBUS_SESSION_BUS_ADDRESS) {
    return {
      available: false,
      reason: wsl ? 'WSL has no D-Bus session, so no Secret Service' : 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set): typical over SSH, in containers and in CI',
      fix: `start one with \`dbus-run-session -- $SHELL\` and unlock a keyring (gnome-keyring-daemon --unlock), ${FILE_FALLBACK}`,
    }
  }
  const { KeychainStore } = await import('../storage/keychain.js')
  const store = new KeychainStore({ timeoutMs: 3000, allowKernelKeyring: env.OAUTHCTL_KEYCHAIN_ALLOW_KERNEL === '1' })
  try {
    await store.set('doctor/probe', 'probe')
    await store.delete('doctor/probe')
    return { available: true }
  } catch (err) {
    if (!(err instanceof CliError)) throw err
    const message = err.message
    if (/locked|unlock|prompt/i.test(message)) {
      return { available: false, reason: 'the keyring collection is locked', fix: `unlock it (log in to the desktop, or gnome-keyring-daemon --unlock), ${FILE_FALLBACK}` }
    }
    if (err.code === 'keychain_timeout') {
      return { available: false, reason: 'the Secret Service did not answer within 3 s', fix: `restart the keyring daemon, ${FILE_FALLBACK}` }
    }
    if (/ServiceUnknown|org\.freedesktop\.secrets|not provided|no such|secret.service/i.test(message)) {
      return { available: false, reason: 'no Secret Service answers on the D-Bus session (is gnome-keyring or KeePassXC running?)', fix: `install and start gnome-keyring, ${FILE_FALLBACK}` }
    }
    return { available: false, reason: message, fix: FILE_FALLBACK }
  }
}

/** `doctor` for people: the profile and folder, then one line a check (result, name, detail) and its hint. */
export function describeDoctor(report: DoctorReport): string {
  const lines = [`profile: ${report.profile ?? '(none)'}`, `config folder: ${report.configDir}`, `platform: ${report.platform}`]
  for (const check of report.checks) {
    lines.push(`${check.result.padEnd(4)}  ${check.name.padEnd(9)}  ${check.detail}`)
    if (check.hint && check.result !== 'ok') lines.push(`${' '.repeat(17)}hint: ${check.hint}`)
  }
  return lines.join('\n')
}
