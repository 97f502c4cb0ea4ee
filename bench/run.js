#!/usr/bin/env node
// `npm run bench`: side-by-side timings of oauthctl against baselines, as medians of paired ratios
// (A B A B …, alternating so that machine noise hits both sides alike). Prints a table and a JSON
// summary; exits 0 when every budget holds, 1 naming the rows that missed theirs. Not a test: run
// it on a quiet machine. Arguments pick sections (all when none): token, help, list;
// e.g. `node bench/run.js list` (after `npm run build`) runs the clients list benchmark alone.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const BIN = join(ROOT, 'bin', 'run.js')
const PAIRS = Number(process.env.BENCH_PAIRS ?? 25)
const SECTIONS = ['token', 'help', 'list']
const only = process.argv.slice(2)
const unknown = only.filter((name) => !SECTIONS.includes(name))
if (unknown.length) {
  process.stderr.write(`bench: no section ${unknown.join(', ')} (sections: ${SECTIONS.join(', ')})\n`)
  process.exit(2)
}
const wanted = (section) => only.length === 0 || only.includes(section)

// Every Node start here pays ~77 ms for this bundle: unset for both sides of every comparison.
delete process.env.NODE_EXTRA_CA_CERTS

// A real keychain: re-run inside a D-Bus session with an unlocked gnome-keyring when there is none.
if (wanted('token') && !process.env.DBUS_SESSION_BUS_ADDRESS && !process.env.BENCH_NO_KEYCHAIN && existsSync('/usr/bin/dbus-run-session') && existsSync('/usr/bin/gnome-keyring-daemon')) {
  const home = mkdtempSync(join(tmpdir(), 'oauthctl-bench-home-'))
  const script = `eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(fileURLToPath(import.meta.url))} "$@"`
  const result = spawnSync('dbus-run-session', ['--', 'bash', '-c', script, 'bench', ...only], { stdio: 'inherit', env: { ...process.env, HOME: home } })
  rmSync(home, { recursive: true, force: true })
  process.exit(result.status ?? 1)
}

const { tokenCacheKey } = await import(join(ROOT, 'dist/lib/tokens/cache.js'))
const { secretKeys } = await import(join(ROOT, 'dist/lib/storage/keys.js'))

const work = mkdtempSync(join(tmpdir(), 'oauthctl-bench-'))
const env = (extra = {}) => ({ ...process.env, OAUTHCTL_CONFIG_DIR: join(work, 'config'), CI: '1', ...extra })

/** Wall time of one process run, in ms; throws when it fails. */
function time(cmd, args, options = {}) {
  const started = process.hrtime.bigint()
  const result = spawnSync(cmd, args, { env: options.env ?? env(), stdio: ['ignore', 'pipe', 'pipe'] })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== (options.expect ?? 0)) throw new Error(`${cmd} ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return ms
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** A and B alternated PAIRS times (after one warm-up each): medians and the median of paired ratios. */
function compare(name, a, b, budget) {
  a()
  b()
  const as = []
  const bs = []
  const ratios = []
  for (let i = 0; i < PAIRS; i++) {
    const ta = a()
    const tb = b()
    as.push(ta)
    bs.push(tb)
    ratios.push(ta / tb)
  }
  const row = { name, a: median(as), b: median(bs), ratio: median(ratios), budget }
  rows.push(row)
  process.stderr.write(`  ${name}: ${row.ratio.toFixed(2)}\n`)
  return row
}

function peakRssMb(cmd, args, options = {}) {
  if (!existsSync('/usr/bin/time')) return undefined
  const result = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { env: options.env ?? env(), encoding: 'utf8' })
  const kb = Number(result.stderr.trim().split('\n').at(-1))
  return Number.isFinite(kb) ? kb / 1024 : undefined
}

const rows = []
const extra = []
const nodeZero = () => time(process.execPath, ['-e', '0'])

/** The cached and uncached `token get` rows, 20 in parallel, and its peak RSS, against the sandbox. */
async function tokenSection() {
  // The sandbox runs in its own process: the timed runs below block this one.
  const sandbox = await new Promise((resolveSandbox, reject) => {
    const child = spawn(process.execPath, [BIN, 'sandbox', '--json'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => {
      if (String(d).includes('serving')) resolveSandbox({ ...JSON.parse(out), close: () => child.kill('SIGTERM') })
    })
    child.on('exit', (code) => reject(new Error(`sandbox exited ${code}`)))
    setTimeout(() => reject(new Error('sandbox did not start within 20 s')), 20_000).unref()
  })
  try {
    // A profile whose token is cached in the keychain (when there is one) and one in the file store.
    const keychain = Boolean(process.env.DBUS_SESSION_BUS_ADDRESS) && !process.env.BENCH_NO_KEYCHAIN
    const add = (name, storage) =>
      execFileSync(process.execPath, [BIN, 'profiles', 'add', name, '--issuer', sandbox.issuer, '--client-id', 'demo-confidential', '--client-secret-stdin', '--storage', storage], {
        env: env(),
        input: 'demo-confidential-secret',
        stdio: ['pipe', 'ignore', 'pipe'],
      })
    if (keychain) add('kc', 'keychain')
    add('file', 'file')
    const kcArgs = [BIN, 'token', 'get', '-p', 'kc']
    const fileArgs = [BIN, 'token', 'get', '-p', 'file']
    if (keychain) time(process.execPath, kcArgs)
    time(process.execPath, fileArgs)

    const key = secretKeys.token('kc', tokenCacheKey({ scopes: [] }))
    const bareRead = join(work, 'bare-read.cjs')
    writeFileSync(
      bareRead,
      `const { AsyncEntry } = require(${JSON.stringify(join(ROOT, 'node_modules/@napi-rs/keyring'))})
  new AsyncEntry('oauthctl', ${JSON.stringify(key)}, { linux: { store: 'secret-service' } }).getPassword().then((v) => process.stdout.write(JSON.parse(v).access_token + '\\n'))\n`,
    )

    if (keychain) {
      compare('cached token get (keychain) / node -e 0', () => time(process.execPath, kcArgs), nodeZero, 1.75)
      compare('cached token get / bare keychain-read script', () => time(process.execPath, kcArgs), () => time(process.execPath, [bareRead]), 1.1)
    }
    const gh = spawnSync('which', ['gh'], { encoding: 'utf8' }).stdout.trim()
    if (gh) {
      // gh reads its token from hosts.yml here (insecure storage): the same work as our file store.
      const ghHome = join(work, 'gh')
      writeFileSync(join(work, 'gh-hosts.yml'), 'github.com:\n    oauth_token: gho_benchmarktoken0000000000000000000000\n    user: bench\n    git_protocol: https\n')
      execFileSync('mkdir', ['-p', ghHome])
      execFileSync('cp', [join(work, 'gh-hosts.yml'), join(ghHome, 'hosts.yml')])
      const ghEnv = { ...process.env, GH_CONFIG_DIR: ghHome, GH_NO_UPDATE_NOTIFIER: '1' }
      compare('cached token get (file) / gh auth token', () => time(process.execPath, fileArgs), () => time(gh, ['auth', 'token'], { env: ghEnv }), 0.999)
    } else {
      extra.push('gh is not installed: the comparison with `gh auth token` was not run')
    }
    compare('cached token get --storage file / node -e 0', () => time(process.execPath, fileArgs), nodeZero, 1.35)
    // kubectl runs this before its commands (the stanza `oauthctl kubeconfig` writes): the same fast path.
    const execCredentialArgs = [BIN, 'token', 'get', '--output', 'exec-credential', '-p', 'file']
    compare('cached kubectl exec credential (file) / node -e 0', () => time(process.execPath, execCredentialArgs), nodeZero, 1.35)

    // Uncached: the full command (client credentials request + storage write) against a bare undici script doing the same.
    const bareFetch = join(work, 'bare-fetch.mjs')
    writeFileSync(
      bareFetch,
      `import { request } from ${JSON.stringify(join(ROOT, 'node_modules/undici/index.js'))}
  import { createRequire } from 'node:module'
  const { AsyncEntry } = createRequire(import.meta.url)(${JSON.stringify(join(ROOT, 'node_modules/@napi-rs/keyring'))})
  const res = await request(${JSON.stringify(`${sandbox.issuer}/token`)}, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + Buffer.from('demo-confidential:demo-confidential-secret').toString('base64') }, body: 'grant_type=client_credentials' })
  const body = await res.body.json()
  ${keychain ? "await new AsyncEntry('oauthctl-bench', 'bare', { linux: { store: 'secret-service' } }).setPassword(JSON.stringify(body))" : ";(await import('node:fs')).writeFileSync(process.env.BARE_OUT, JSON.stringify(body), { mode: 0o600 })"}
  process.stdout.write(body.access_token + '\\n')\n`,
    )
    const uncachedArgs = [BIN, 'token', 'get', '-p', keychain ? 'kc' : 'file', '--force']
    const bareFetchRun = (flags = []) => time(process.execPath, [...flags, bareFetch], { env: env({ BARE_OUT: join(work, 'bare-out.json') }) })
    compare('uncached token get / bare undici script', () => time(process.execPath, uncachedArgs), () => bareFetchRun(), 1.3)
    // Like for like: oauthctl runs V8 with --liftoff-only (src/boot/load-cli.cts); so does this bare script. No budget.
    compare('uncached token get / bare script, --liftoff-only', () => time(process.execPath, uncachedArgs), () => bareFetchRun(['--liftoff-only']))

    // 20 parallel cached calls: wall time for all against one alone.
    const parallel = async (n) => {
      const started = process.hrtime.bigint()
      await Promise.all(
        Array.from({ length: n }, () => new Promise((res, rej) => spawn(process.execPath, fileArgs, { env: env(), stdio: 'ignore' }).on('exit', (code) => (code === 0 ? res() : rej(new Error(`exit ${code}`))))),
        ),
      )
      return Number(process.hrtime.bigint() - started) / 1e6
    }
    const alone = []
    const twenty = []
    for (let i = 0; i < 5; i++) {
      alone.push(await parallel(1))
      twenty.push(await parallel(20))
    }
    extra.push(`20 parallel cached token get: ${median(twenty).toFixed(0)} ms for all vs ${median(alone).toFixed(0)} ms alone (${(median(twenty) / median(alone)).toFixed(1)}x, 2 cores)`)

    const rss = peakRssMb(process.execPath, keychain ? kcArgs : fileArgs)
    if (rss !== undefined) rows.push({ name: 'peak RSS of cached token get (MB)', a: rss, b: undefined, ratio: rss, budget: 50 })

  } finally {
    sandbox.close()
  }
}

/**
 * `clients list --all` against a bare undici script listing the same fake with the same number of
 * requests in flight (bench/clients-list.js), and the lister's peak RSS.
 */
function listSection() {
  const out = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'bench', 'clients-list.js')], { env: env(), encoding: 'utf8' }))
  rows.push({ name: `clients list --all / bare undici list (${out.concurrency} in flight)`, a: out.ms, b: out.bareMs, ratio: out.ratio, budget: 1.25 })
  rows.push({ name: 'peak RSS of clients list --all (MB)', a: out.peakRssMb, b: undefined, ratio: out.peakRssMb, budget: 150 })
  extra.push(`clients list --all: ${out.clients} clients in ${out.pages} pages, ${out.concurrency} in flight, median of ${out.pairs} paired runs; the whole oauthctl process took ${out.cliMs.toFixed(0)} ms (start, listing, --json output)`)
}

try {
  process.stderr.write(`benchmark: ${PAIRS} pairs each, Node ${process.version}, sections: ${SECTIONS.filter(wanted).join(', ')}\n`)
  if (wanted('token')) await tokenSection()
  if (wanted('help')) compare('--help / node -e 0', () => time(process.execPath, [BIN, '--help']), nodeZero, 6.0)
  if (wanted('list')) listSection()
} finally {
  rmSync(work, { recursive: true, force: true })
}

const pad = (s, n) => String(s).padEnd(n)
const fmt = (n) => (n === undefined ? '' : n.toFixed(n < 10 ? 2 : 0))
console.log(`${pad('measure', 52)} ${pad('A ms', 8)} ${pad('B ms', 8)} ${pad('ratio', 7)} budget  ok`)
const failed = rows.filter((r) => r.budget !== undefined && !(r.ratio <= r.budget))
for (const r of rows) {
  const ok = !failed.includes(r)
  console.log(`${pad(r.name, 52)} ${pad(fmt(r.a), 8)} ${pad(fmt(r.b), 8)} ${pad(fmt(r.ratio), 7)} ${pad(r.budget ?? 'info', 7)} ${r.budget === undefined ? '' : ok ? 'yes' : 'NO'}`)
}
for (const line of extra) console.log(`note: ${line}`)
console.log(JSON.stringify({ node: process.version, pairs: PAIRS, rows, notes: extra, failed: failed.map((r) => r.name) }))
if (failed.length) process.stderr.write(`bench: over budget: ${failed.map((r) => `${r.name} (${fmt(r.ratio)} > ${r.budget})`).join('; ')}\n`)
process.exit(failed.length ? 1 : 0)
