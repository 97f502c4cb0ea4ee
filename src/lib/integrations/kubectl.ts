import { execFile } from 'node:child_process'
import { usageError } from '../errors.js'
import { EXEC_CREDENTIAL_API_VERSIONS, type ExecCredentialApiVersion, execCredentialApiVersion } from '../tokens/token-output.cjs'

export const INTERACTIVE_MODES = ['Never', 'IfAvailable'] as const
export type InteractiveMode = (typeof INTERACTIVE_MODES)[number]

/** The short names `--api-version` takes, and what they stand for. */
export const EXEC_API_VERSION_NAMES: Record<string, ExecCredentialApiVersion> = { v1: EXEC_CREDENTIAL_API_VERSIONS[0], v1beta1: EXEC_CREDENTIAL_API_VERSIONS[1] }

export interface KubeconfigOptions {
  profileName: string
  /** The kubeconfig user entry's name. */
  user: string
  /** The absolute path of the running oauthctl. */
  command: string
  /** Authenticate with the ID token (Kubernetes' OIDC authenticator) rather than the access token. */
  idToken: boolean
  apiVersion: ExecCredentialApiVersion
  interactiveMode: InteractiveMode
}

/** A kubeconfig `users[].user.exec` stanza (client-go's ExecConfig) that runs `oauthctl token get` for the profile. */
export interface ExecStanza {
  apiVersion: ExecCredentialApiVersion
  command: string
  args: string[]
  interactiveMode: InteractiveMode
  provideClusterInfo: false
}

export function execStanza(options: KubeconfigOptions): ExecStanza {
  return {
    apiVersion: options.apiVersion,
    command: options.command,
    args: ['token', 'get', '--output', 'exec-credential', '-p', options.profileName, ...(options.idToken ? ['--id-token'] : [])],
    // `token get` never asks anything: a session that needs a browser fails with "log in" instead.
    interactiveMode: options.interactiveMode,
    provideClusterInfo: false,
  }
}

/** The kubeconfig fragment `oauthctl kubeconfig` prints: one user entry. */
export const kubeconfigUsers = (options: KubeconfigOptions) => ({ users: [{ name: options.user, user: { exec: execStanza(options) } }] })

/**
 * Block-style YAML for plain data; every string double-quoted as JSON (a JSON string is a valid
 * YAML double-quoted scalar), so no value can change the document's structure.
 */
export function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) return value.map((item) => `${indent}- ${toYaml(item, `${indent}  `).trimStart()}`).join('')
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .map(([key, item]) => {
        const nested = item !== null && typeof item === 'object'
        return nested ? `${indent}${key}:\n${toYaml(item, Array.isArray(item) ? indent : `${indent}  `)}` : `${indent}${key}: ${JSON.stringify(item)}\n`
      })
      .join('')
  }
  return `${JSON.stringify(value)}\n`
}

/** The apiVersion kubectl asked for (KUBERNETES_EXEC_INFO), or a usage error naming what it sent. */
export function requestedExecApiVersion(env: NodeJS.ProcessEnv): ExecCredentialApiVersion {
  const version = execCredentialApiVersion(env)
  if (!version) {
    throw usageError(`KUBERNETES_EXEC_INFO asks for an ExecCredential version oauthctl does not speak (it speaks ${EXEC_CREDENTIAL_API_VERSIONS.join(', ')})`, {
      code: 'exec_api_version',
      hint: 'set apiVersion in the kubeconfig exec stanza to client.authentication.k8s.io/v1 (or v1beta1 for kubectl before 1.22)',
    })
  }
  return version
}

export type RunKubectl = (args: string[]) => Promise<void>

/** Run kubectl (from PATH) with a bounded wait; a missing kubectl is a usage error. */
export const runKubectl: RunKubectl = (args) =>
  new Promise((resolve, reject) => {
    execFile('kubectl', args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve()
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(usageError('--write runs kubectl config set-credentials, and kubectl is not on PATH', { code: 'no_kubectl', hint: 'install kubectl, or paste the stanza oauthctl kubeconfig prints' }))
      }
      // Debian's kubectl 1.20 panics on any exec credential it writes: the printed entry still works.
      reject(usageError(`kubectl config set-credentials failed: ${String(stderr).trim().split('\n')[0] || err.message}`, { code: 'kubectl_failed', hint: 'oauthctl kubeconfig (without --write) prints the entry: add it to the kubeconfig yourself' }))
    })
  })

/**
 * Merge the user entry into the kubeconfig ($KUBECONFIG, else ~/.kube/config) through kubectl
 * itself, so the file is written with kubectl's own rules (which file of a KUBECONFIG list, other
 * entries kept, its permissions); the arguments carry no secret.
 */
export async function writeKubeconfigUser(options: KubeconfigOptions, run: RunKubectl = runKubectl): Promise<void> {
  const exec = execStanza(options)
  const args = ['config', 'set-credentials', options.user, `--exec-command=${exec.command}`, `--exec-api-version=${exec.apiVersion}`, ...exec.args.map((arg) => `--exec-arg=${arg}`)]
  // v1 requires interactiveMode; kubectl releases old enough to need v1beta1 lack the flag, and default to IfAvailable.
  if (exec.apiVersion === EXEC_CREDENTIAL_API_VERSIONS[0]) args.push(`--exec-interactive-mode=${exec.interactiveMode}`)
  await run(args)
}
