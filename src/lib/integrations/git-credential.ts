import { type Config, GitUsernameSchema } from '../config/schema.js'
import { usageError } from '../errors.js'
import { checkTransport } from '../http/transport.js'
import type { StoredToken } from '../tokens/token-set.js'

/** GitLab's convention, accepted by most forges that take a token as the password (GitHub ignores the name). */
export const DEFAULT_GIT_USERNAME = 'oauth2'

/** git writes a few short lines; anything much larger is not a credential request. */
const MAX_REQUEST_BYTES = 64 * 1024

export type GitCredentialMap = NonNullable<Config['gitCredential']>

/** The part of git's credential request (gitcredentials(7), git-credential(1)) that names the remote. */
export interface CredentialRequest {
  protocol?: string
  host?: string
  path?: string
}

/**
 * git's credential request: `key=value` lines up to a blank line or the end. `url=` is split into
 * its parts; array keys (`capability[]`, `wwwauth[]`) and unknown keys are ignored.
 */
export function parseCredentialRequest(text: string): CredentialRequest {
  const request: CredentialRequest = {}
  for (const line of text.split('\n')) {
    if (line === '' || line === '\r') break
    const eq = line.indexOf('=')
    if (eq <= 0) continue
    const key = line.slice(0, eq)
    const value = line.slice(eq + 1).replace(/\r$/, '')
    if (key === 'protocol' || key === 'host' || key === 'path') request[key] = value
    if (key === 'url') Object.assign(request, requestFromUrl(value))
  }
  return request
}

function requestFromUrl(value: string): CredentialRequest {
  try {
    const url = new URL(value)
    return { protocol: url.protocol.replace(/:$/, ''), host: url.host, path: url.pathname.replace(/^\//, '') || undefined }
  } catch {
    return {}
  }
}

/**
 * A configured remote, normalised: `HOST[:PORT]` means https; a URL keeps its scheme and path.
 * Plain http only for loopback hosts: a token must not cross a network in clear.
 */
export function gitCredentialKey(target: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target : `https://${target}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw usageError('git-credential configure takes HOST[:PORT] or an https URL (optionally with a path)', { code: 'bad_argument' })
  }
  if (url.username || url.password || url.search || url.hash) throw usageError('the git remote URL must carry no user, password, query or fragment', { code: 'bad_argument' })
  checkTransport(url, false, 'a git remote that gets tokens')
  const path = url.pathname.replace(/\/+$/, '')
  return `${url.protocol}//${url.host}${path}`
}

/**
 * The mapping that answers a request: same scheme and host (with port), and a path prefix, longest
 * first. A mapping with a path matches only when git sends the path (credential.useHttpPath).
 */
export function findGitMapping(map: GitCredentialMap, request: CredentialRequest): { key: string; profile: string; username: string } | undefined {
  if (!request.protocol || !request.host) return undefined
  const origin = `${request.protocol.toLowerCase()}://${request.host.toLowerCase()}`
  const path = `/${(request.path ?? '').replace(/^\/+/, '')}`
  let best: { key: string; profile: string; username: string } | undefined
  for (const [key, entry] of Object.entries(map)) {
    if (!key.startsWith(origin)) continue
    const keyPath = key.slice(origin.length)
    // '' (the whole host), or a path this request's path is, or lies under; not another port ("host:80" vs "host:8080").
    if (keyPath !== '' && (!keyPath.startsWith('/') || (path !== keyPath && !path.startsWith(`${keyPath}/`)))) continue
    if (!best || key.length > best.key.length) best = { key, profile: entry.profile, username: entry.username ?? DEFAULT_GIT_USERNAME }
  }
  return best
}

/** Read git's request from stdin, bounded. */
export async function readCredentialRequest(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stdin) {
    const buffer = Buffer.from(chunk as Buffer)
    size += buffer.length
    if (size > MAX_REQUEST_BYTES) throw usageError('the credential request on stdin is too large', { code: 'bad_input' })
    chunks.push(buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** `git-credential get`: the answer lines, or nothing for a remote no mapping covers (git then asks its next helper). */
export async function gitCredentialGet(requestText: string, map: GitCredentialMap, tokenFor: (profile: string) => Promise<StoredToken>): Promise<string> {
  const request = parseCredentialRequest(requestText)
  const mapping = findGitMapping(map, request)
  if (!mapping) return ''
  // The mapping was checked when it was set; a hand-edited one is checked again before a token goes out.
  checkTransport(mapping.key, false, 'a git remote that gets tokens')
  // No value can add a line to the protocol: tokens are visible ASCII (checked on receipt and on every
  // read of the cache), user names one line (the config schema).
  const token = await tokenFor(mapping.profile)
  return `username=${mapping.username}\npassword=${token.access_token}\npassword_expiry_utc=${token.expires_at}\n`
}

export type GitCredentialChange = { url: string; profile: string; username: string } | { url: string; removed: boolean }

/** `git-credential configure`: map a remote URL to a profile (which must exist), or remove the mapping. */
export async function configureGitCredential(configDir: string, target: string, change: { profile?: string; username?: string; remove: boolean }): Promise<GitCredentialChange> {
  const url = gitCredentialKey(target)
  const { updateConfig } = await import('../config/store.js')
  return updateConfig(configDir, (config) => {
    const map: GitCredentialMap = { ...config.gitCredential }
    if (change.remove) {
      const removed = Object.hasOwn(map, url)
      delete map[url]
      config.gitCredential = Object.keys(map).length > 0 ? map : undefined
      return { url, removed }
    }
    const profile = change.profile
    if (!profile || !Object.hasOwn(config.profiles, profile)) {
      throw usageError(profile ? `no profile named ${profile}` : 'git-credential configure needs a profile: -p NAME', { code: 'unknown_profile', hint: 'oauthctl profiles list shows the profiles there are' })
    }
    if (change.username !== undefined && !GitUsernameSchema.safeParse(change.username).success) throw usageError('--username must be one line of text', { code: 'bad_flag' })
    Object.defineProperty(map, url, { value: { profile, ...(change.username && { username: change.username }) }, enumerable: true, writable: true, configurable: true })
    config.gitCredential = map
    return { url, profile, username: change.username ?? DEFAULT_GIT_USERNAME }
  })
}
