import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CliResult, Sandboxed } from '../helpers/cli.js'

/**
 * Runs commands and remembers what they printed, and remembers every secret the test planted or
 * oauthctl stored (harvested from credentials.json after each run), so that one check at the end
 * proves that no secret appeared on stderr, nor on stdout except where the command exists to print it.
 */
export interface Step {
  args: string[]
  stdin?: string
  env?: Record<string, string>
  /** Exit code of the `--json` run and of the `-v` run (one number: both). */
  exit: number | [json: number, verbose: number]
  /** Run once with `--json -v` together: for commands whose output is a status line, not data. */
  once?: true
  /** `token get` exists to print this profile's tokens (SPEC: raw, or the whole response with --output json). */
  printsTokensOf?: string
  timeoutMs?: number
}

export interface Run {
  label: string
  stdout: string
  stderr: string
  json: boolean
  code: number | null
  printsTokensOf?: string
}

/** Shortest secret looked for: shorter values would match by chance. */
const MIN_SECRET = 8

export class LeakLog {
  readonly runs: Run[] = []
  /** secret value → where it came from (credentials.json keys, or "planted: …"); a value can have several. */
  readonly secrets = new Map<string, string[]>()
  /** Steps whose exit codes were not the expected ones (checked once, at the end, to report them all). */
  readonly exitMismatches: string[] = []

  plant(label: string, value: string | undefined): void {
    if (!value || value.length < MIN_SECRET) return
    const labels = this.secrets.get(value) ?? []
    if (!labels.includes(label)) labels.push(label)
    this.secrets.set(value, labels)
  }

  /** Every secret oauthctl keeps in credentials.json right now. */
  async harvest(configDir: string): Promise<void> {
    let entries: Record<string, string>
    try {
      entries = (JSON.parse(await readFile(join(configDir, 'credentials.json'), 'utf8')) as { entries: Record<string, string> }).entries
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    for (const [key, value] of Object.entries(entries)) {
      if (key.includes('/token/')) {
        const token = JSON.parse(value) as Record<string, unknown>
        for (const field of ['access_token', 'refresh_token', 'id_token']) this.plant(`${key}#${field}`, token[field] as string | undefined)
      } else if (key.endsWith('/registration')) {
        for (const [id, reg] of Object.entries(JSON.parse(value) as Record<string, { accessToken: string }>)) this.plant(`${key}#${id}`, reg.accessToken)
      } else {
        this.plant(key, value)
      }
    }
  }

  /** Run a step twice, with --json and with -v (or once with both), harvesting after each run. Returns [json, verbose]. */
  async step(t: Sandboxed, step: Step): Promise<[CliResult, CliResult]> {
    const out: CliResult[] = []
    for (const flag of step.once ? (['--json -v'] as const) : (['--json', '-v'] as const)) {
      // Global flags go before a `--` (exec's child command), else at the end.
      const end = step.args.includes('--') ? step.args.indexOf('--') : step.args.length
      const result = await t.run([...step.args.slice(0, end), ...flag.split(' '), ...step.args.slice(end)], { stdin: step.stdin, env: step.env, timeoutMs: step.timeoutMs ?? 20_000 })
      this.runs.push({ label: `${step.args.join(' ')} ${flag}`, stdout: result.stdout, stderr: result.stderr, json: flag.startsWith('--json'), code: result.code, printsTokensOf: step.printsTokensOf })
      await this.harvest(t.configDir)
      out.push(result)
    }
    const [json, verbose = json] = out as [CliResult, CliResult?]
    const [jsonExit, verboseExit] = typeof step.exit === 'number' ? [step.exit, step.exit] : step.exit
    if (json.code !== jsonExit || verbose.code !== verboseExit) {
      this.exitMismatches.push(`${step.args.join(' ')}: exit ${json.code}/${verbose.code}, expected ${jsonExit}/${verboseExit}; --json stderr: ${json.stderr.slice(0, 300)}`)
    }
    return [json, verbose]
  }

  record(label: string, result: CliResult, json = false): void {
    this.runs.push({ label, stdout: result.stdout, stderr: result.stderr, json, code: result.code })
  }

  /** Where each secret showed up where it must not: "<secret label> in <stream> of <run>". */
  leaks(): string[] {
    const found: string[] = []
    for (const run of this.runs) {
      for (const [secret, labels] of this.secrets) {
        const label = labels.join(' = ')
        if (run.stderr.includes(secret)) found.push(`${label} in stderr of \`${run.label}\``)
        const allowed = run.printsTokensOf !== undefined && labels.some((l) => l.startsWith(`profile/${run.printsTokensOf}/token/`))
        if (!allowed && run.stdout.includes(secret)) found.push(`${label} in stdout of \`${run.label}\``)
      }
    }
    return found
  }

  /** SPEC: with --json a command prints exactly one JSON document, on stdout (success) or stderr (error). */
  jsonContractViolations(): string[] {
    const bad: string[] = []
    for (const run of this.runs.filter((r) => r.json)) {
      const doc = run.code === 0 ? run.stdout : run.stderr.split('\n').filter((l) => l.startsWith('{')).join('\n')
      try {
        const parsed = JSON.parse(doc) as { error?: unknown }
        if (run.code !== 0 && !parsed.error) bad.push(`${run.label}: the error document has no "error"`)
      } catch {
        bad.push(`${run.label}: exit ${run.code}, ${run.code === 0 ? 'stdout' : 'stderr'} is not one JSON document: ${JSON.stringify(doc.slice(0, 200))}`)
      }
    }
    return bad
  }
}
