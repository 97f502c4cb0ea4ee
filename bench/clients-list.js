#!/usr/bin/env node
// Part of `npm run bench`: `clients list --all` over 10,000 clients on a Nutanix-style fake that
// serves at most 100 per page with 5 ms added latency per response. The lister is timed in-process
// (after one warm-up request: process start and the first connection are not the lister's) against
// the ideal pages × latency / concurrency; then the whole `oauthctl clients list --all --json`
// process is timed too, for reference. The fake runs in a child process so that the peak RSS
// measured here is the lister's alone. Prints one JSON line.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CLIENTS = 10_000
const LATENCY_MS = 5
const PAGE = 100

// Each response leaves 5 ms after its request arrived, its own work included: the latency the
// ideal assumes is the server's whole answer time, not 5 ms on top of the fake's JSON work.
const fake = `
const http = require('node:http')
const clients = Array.from({ length: ${CLIENTS} }, (_, i) => ({ client_id: 'c' + i, client_name: 'client ' + i, client_description: 'bench', redirect_uris: ['https://app.example/cb'], default_scopes: ['vm.read'] }))
http.createServer((req, res) => {
  const arrived = performance.now()
  let body = ''
  req.on('data', (d) => (body += d))
  req.on('end', () => {
    const { offset = 0, length = 20 } = JSON.parse(body || '{}')
    const entities = clients.slice(offset, offset + Math.min(length, ${PAGE}))
    const page = JSON.stringify({ api_version: '3.1', metadata: { kind: 'oauth_client', offset, length: entities.length, total_matches: ${CLIENTS} }, entities })
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(page)
    }, Math.max(0, ${LATENCY_MS} - (performance.now() - arrived)))
  })
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n') })
`
const child = spawn(process.execPath, ['-e', fake], { stdio: ['ignore', 'pipe', 'inherit'] })
const port = await new Promise((res) => child.stdout.once('data', (d) => res(Number(String(d).trim()))))

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
    return times.sort((a, b) => a - b)[2]
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

/**
 * The floor on this machine: a bare undici script in its own process fetching the same pages with
 * the same concurrency, parsing each page and nothing more (no validation, redaction or mapping).
 */
function bareRun(port, concurrency) {
  const script = `
const { request } = require(${JSON.stringify(join(ROOT, 'node_modules/undici'))})
const page = async (offset) => JSON.parse(await (await request('http://127.0.0.1:${port}/api/nutanix/v3/oauth/client/list', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'oauth_client', offset, length: ${PAGE} }) })).body.text())
;(async () => {
  await page(0)
  const started = performance.now()
  const first = await page(0)
  const offsets = []
  for (let o = first.entities.length; o < first.metadata.total_matches; o += first.entities.length) offsets.push(o)
  let next = 0
  let count = first.entities.length
  await Promise.all(Array.from({ length: ${concurrency} }, async () => { while (next < offsets.length) { const got = (await page(offsets[next++])).entities.length; count += got } }))
  if (count !== ${CLIENTS}) throw new Error('bare list got ' + count)
  process.stdout.write(String(performance.now() - started))
})()`
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`bare list exited ${run.status}: ${run.stderr}`)
  return Number(run.stdout)
}

try {
  const { HttpClient } = await import(join(ROOT, 'dist/lib/http/client.js'))
  const { ProfileSchema } = await import(join(ROOT, 'dist/lib/config/schema.js'))
  const { openBackend } = await import(join(ROOT, 'dist/lib/use-cases/admin.js'))
  const { MemoryStore } = await import(join(ROOT, 'dist/lib/storage/memory.js'))
  const http = new HttpClient()
  const profile = ProfileSchema.parse({ provider: 'nutanix', host: `http://127.0.0.1:${port}`, username: 'admin', clientId: 'bench' })
  const store = new MemoryStore()
  const ctx = {
    profileName: 'bench',
    profile,
    http,
    store: async () => store,
    env: { OAUTHCTL_ADMIN_PASSWORD: 'bench-password' },
    configDir: ROOT,
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
  if (clients.length !== CLIENTS) throw new Error(`listed ${clients.length} clients, expected ${CLIENTS}`)
  const peakRssMb = process.resourceUsage().maxRSS / 1024
  const { NUTANIX_LIST_CONCURRENCY: concurrency } = await import(join(ROOT, 'dist/lib/vendors/nutanix/admin.js'))
  const pages = Math.ceil(CLIENTS / PAGE)
  process.stdout.write(`${JSON.stringify({ clients: clients.length, ms, idealMs: (pages * LATENCY_MS) / concurrency, pages, concurrency, peakRssMb, bareMs: bareRun(port, concurrency), cliMs: cliRun(port) })}\n`)
} finally {
  child.kill()
}
