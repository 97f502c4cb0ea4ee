#!/usr/bin/env node
// Part of `npm run bench`: `clients list --all` over 10,000 clients on a Nutanix-style fake
// (100 per page, 5 ms added latency per response), timed in-process against the ideal
// pages × latency / concurrency. The fake runs in a child process so that the peak RSS measured
// here is the lister's alone. Prints one JSON line.
import { spawn } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const CLIENTS = 10_000
const LATENCY_MS = 5
const PAGE = 100

const fake = `
const http = require('node:http')
const clients = Array.from({ length: ${CLIENTS} }, (_, i) => ({ client_id: 'c' + i, client_name: 'client ' + i, client_description: 'bench', redirect_uris: ['https://app.example/cb'], default_scopes: ['vm.read'] }))
http.createServer((req, res) => {
  let body = ''
  req.on('data', (d) => (body += d))
  req.on('end', () => setTimeout(() => {
    const { offset = 0, length = 20 } = JSON.parse(body || '{}')
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ api_version: '3.1', metadata: { kind: 'oauth_client', offset, length, total_matches: ${CLIENTS} }, entities: clients.slice(offset, offset + length) }))
  }, ${LATENCY_MS}))
}).listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n') })
`
const child = spawn(process.execPath, ['-e', fake], { stdio: ['ignore', 'pipe', 'inherit'] })
const port = await new Promise((res) => child.stdout.once('data', (d) => res(Number(String(d).trim()))))

try {
  const { HttpClient } = await import(join(ROOT, 'dist/lib/http/client.js'))
  const { ProfileSchema } = await import(join(ROOT, 'dist/lib/config/schema.js'))
  const { openBackend } = await import(join(ROOT, 'dist/lib/admin/index.js'))
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
  const started = performance.now()
  const { clients } = await backend.list({})
  const ms = performance.now() - started
  await http.close()
  if (clients.length !== CLIENTS) throw new Error(`listed ${clients.length} clients, expected ${CLIENTS}`)
  const pages = Math.ceil(CLIENTS / PAGE)
  const concurrency = 1 // pages follow one another: each offset comes from the last page
  process.stdout.write(`${JSON.stringify({ clients: clients.length, ms, idealMs: (pages * LATENCY_MS) / concurrency, pages, concurrency, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`)
} finally {
  child.kill()
}
