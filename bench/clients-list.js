#!/usr/bin/env node
// Part of `npm run bench` (alone: `node bench/run.js list`): `clients list --all` over 10,000
// clients on a Nutanix-style fake that serves at most 100 per page, each response 5 ms after its
// request arrived, against a bare undici script listing the same fake with the same number of
// requests in flight. Like for like: both run in fresh processes, alternated (A B A B …), and time
// their listing from inside after one warm-up request, so that neither pays for Node's start,
// module loading or the first connection. The number in flight is the most the fake saw oauthctl
// send at once, not a constant read from our code. The whole `oauthctl clients list --all --json`
// process is timed too, for reference. The fake runs in its own process, so each lister's peak RSS
// is its own. Prints one JSON line.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CLIENTS = 10_000
const LATENCY_MS = 5
const PAGE = 100
const PAIRS = Number(process.env.BENCH_LIST_PAIRS ?? 11)

// `GET /peak` answers the most list requests that were in flight at once since the last `/peak`.
const fake = `
const http = require('node:http')
const clients = Array.from({ length: ${CLIENTS} }, (_, i) => ({ client_id: 'c' + i, client_name: 'client ' + i, client_description: 'bench', redirect_uris: ['https://app.example/cb'], default_scopes: ['vm.read'] }))
let inFlight = 0
let peak = 0
http.createServer((req, res) => {
  if (req.url === '/peak') {
    res.end(String(peak))
    peak = 0
    return
  }
  const arrived = performance.now()
  peak = Math.max(peak, ++inFlight)
  let body = ''
  req.on('data', (d) => (body += d))
  req.on('end', () => {
    const { offset = 0, length = 20 } = JSON.parse(body || '{}')
    const entities = clients.slice(offset, offset + Math.min(length, ${PAGE}))
    const page = JSON.stringify({ api_version: '3.1', metadata: { kind: 'oauth_client', offset, length: entities.length, total_matches: ${CLIENTS} }, entities })
    setTimeout(() => {
      inFlight--
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(page)
    }, Math.max(0, ${LATENCY_MS} - (performance.now() - arrived)))
  })
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n') })
`

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Run a script file, expecting a JSON line on stdout. */
function runScript(path, env = {}) {
  const run = spawnSync(process.execPath, [path], { encoding: 'utf8', env: { ...process.env, ...env } })
  if (run.status !== 0) throw new Error(`${path} exited ${run.status}: ${run.stderr}`)
  return JSON.parse(run.stdout)
}

// oauthctl's lister, as `clients list --all` runs it: the back end chosen for the profile (through
// the admin entry point), over the one HTTP layer.
const dist = (path) => JSON.stringify(pathToFileURL(join(ROOT, 'dist', path)).href)
const listerScript = (port) => `
const { HttpClient } = await import(${dist('lib/http/client.js')})
const { ProfileSchema } = await import(${dist('lib/config/schema.js')})
const { openBackend } = await import(${dist('lib/use-cases/admin.js')})
const { MemoryStore } = await import(${dist('lib/storage/memory.js')})
const http = new HttpClient()
const store = new MemoryStore()
const ctx = {
  profileName: 'bench',
  profile: ProfileSchema.parse({ provider: 'nutanix', host: 'http://127.0.0.1:${port}', username: 'admin', clientId: 'bench' }),
  http,
  store: async () => store,
  env: { OAUTHCTL_ADMIN_PASSWORD: 'bench-password' },
  configDir: ${JSON.stringify(ROOT)},
  now: () => Math.floor(Date.now() / 1000),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  warn: () => undefined,
}
const backend = await openBackend(ctx)
await backend.list({ limit: 1 })
const started = performance.now()
const { clients } = await backend.list({})
const ms = performance.now() - started
await http.close()
if (clients.length !== ${CLIENTS}) throw new Error('listed ' + clients.length + ' clients')
process.stdout.write(JSON.stringify({ ms, peakRssMb: process.resourceUsage().maxRSS / 1024 }))
`

// The same pages with the same number in flight, each parsed and nothing more (no validation,
// redaction or mapping): what any program listing this fake must at least do.
const bareScript = (port) => `
import { request } from ${JSON.stringify(pathToFileURL(join(ROOT, 'node_modules/undici/index.js')).href)}
const concurrency = Number(process.env.CONCURRENCY)
const page = async (offset, length = ${PAGE}) => JSON.parse(await (await request('http://127.0.0.1:${port}/api/nutanix/v3/oauth/client/list', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'oauth_client', offset, length }) })).body.text())
await page(0, 1)
const started = performance.now()
const first = await page(0)
const offsets = []
for (let o = first.entities.length; o < first.metadata.total_matches; o += first.entities.length) offsets.push(o)
let next = 0
let count = first.entities.length
await Promise.all(Array.from({ length: concurrency }, async () => { while (next < offsets.length) { const got = (await page(offsets[next++])).entities.length; count += got } }))
if (count !== ${CLIENTS}) throw new Error('bare list got ' + count)
process.stdout.write(JSON.stringify({ ms: performance.now() - started }))
`

/** Wall time of the whole `oauthctl clients list --all --json` process against the fake (median of 5). */
function cliRun(port) {
  const home = mkdtempSync(join(tmpdir(), 'oauthctl-bench-list-'))
  try {
    const profile = { provider: 'nutanix', host: `http://127.0.0.1:${port}`, username: 'admin', clientId: 'bench', storage: 'none' }
    writeFileSync(join(home, 'config.json'), JSON.stringify({ version: 1, defaultProfile: 'nx', profiles: { nx: profile } }), { mode: 0o600 })
    const env = { ...process.env, OAUTHCTL_CONFIG_DIR: home, OAUTHCTL_ADMIN_PASSWORD: 'bench-password', CI: '1' }
    const times = Array.from({ length: 5 }, () => {
      const t = performance.now()
      const run = spawnSync(process.execPath, [join(ROOT, 'bin/run.js'), 'clients', 'list', '--all', '--json'], { env, maxBuffer: 64 << 20 })
      if (run.status !== 0) throw new Error(`clients list exited ${run.status}: ${run.stderr}`)
      if (JSON.parse(run.stdout).length !== CLIENTS) throw new Error('clients list --all listed the wrong number of clients')
      return performance.now() - t
    })
    return median(times)
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

const child = spawn(process.execPath, ['-e', fake], { stdio: ['ignore', 'pipe', 'inherit'] })
const work = mkdtempSync(join(tmpdir(), 'oauthctl-bench-lister-'))
try {
  const port = await new Promise((res) => child.stdout.once('data', (d) => res(Number(String(d).trim()))))
  const peak = async () => Number(await (await fetch(`http://127.0.0.1:${port}/peak`)).text())
  const lister = join(work, 'lister.mjs')
  const bare = join(work, 'bare.mjs')
  writeFileSync(lister, listerScript(port))
  writeFileSync(bare, bareScript(port))

  // One lister run (uncounted) shows how many requests oauthctl keeps in flight.
  await peak()
  runScript(lister)
  const concurrency = await peak()
  if (!(concurrency >= 1)) throw new Error(`the fake saw ${concurrency} requests in flight`)
  runScript(bare, { CONCURRENCY: String(concurrency) })

  const listed = []
  const bared = []
  const ratios = []
  for (let i = 0; i < PAIRS; i++) {
    const a = runScript(lister)
    const b = runScript(bare, { CONCURRENCY: String(concurrency) })
    listed.push(a)
    bared.push(b.ms)
    ratios.push(a.ms / b.ms)
  }
  process.stdout.write(
    `${JSON.stringify({
      clients: CLIENTS,
      pages: Math.ceil(CLIENTS / PAGE),
      concurrency,
      pairs: PAIRS,
      ms: median(listed.map((r) => r.ms)),
      bareMs: median(bared),
      ratio: median(ratios),
      peakRssMb: median(listed.map((r) => r.peakRssMb)),
      cliMs: cliRun(port),
    })}\n`,
  )
} finally {
  child.kill()
  rmSync(work, { recursive: true, force: true })
}
