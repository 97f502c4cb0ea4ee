import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterAll, beforeAll, beforeEach } from 'vitest'

/**
 * A loopback HTTP server (127.0.0.1 only) that misbehaves on purpose: each path is given a list of
 * behaviours, the n-th request to the path gets the n-th behaviour (the last one repeats). Every
 * request is recorded, and close() ends every connection and timer it left open, so a test that
 * stalls a client never leaks a socket.
 */
export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: string
  /** performance.now() when the request arrived, for retry timing. */
  at: number
}

export interface FaultContext {
  body: string
  /** 0-based index of this request among the requests to its path. */
  index: number
  /** Register a cleanup (timer, interval) run when the connection or the server closes. */
  onClose(fn: () => void): void
}

export type Fault = (req: IncomingMessage, res: ServerResponse, ctx: FaultContext) => void | Promise<void>

export interface FaultServer {
  origin: string
  port: number
  url(path: string): string
  /** Behaviours for a path (query string ignored); replaces earlier ones and restarts its count. */
  route(path: string, ...faults: Fault[]): void
  requests: RecordedRequest[]
  count(path: string): number
  /** Forget routes and recorded requests. */
  reset(): void
  close(): Promise<void>
}

export async function startFaultServer(): Promise<FaultServer> {
  const routes = new Map<string, Fault[]>()
  const hits = new Map<string, number>()
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()
  const cleanups = new Set<() => void>()

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const chunks: Buffer[] = []
    req.on('data', (d: Buffer) => chunks.push(d))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body, at: performance.now() })
      const index = hits.get(path) ?? 0
      hits.set(path, index + 1)
      const faults = routes.get(path)
      const fault = faults ? faults[Math.min(index, faults.length - 1)] : undefined
      const local = new Set<() => void>()
      const ctx: FaultContext = {
        body,
        index,
        onClose: (fn) => {
          local.add(fn)
          cleanups.add(fn)
        },
      }
      res.once('close', () => {
        for (const fn of local) {
          fn()
          cleanups.delete(fn)
        }
      })
      if (!fault) return json(404, { error: 'not_found', error_description: `no route for ${path}` })(req, res, ctx)
      Promise.resolve(fault(req, res, ctx)).catch(() => res.destroy())
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`
  return {
    origin,
    port,
    url: (path) => `${origin}${path}`,
    route: (path, ...faults) => {
      routes.set(path, faults)
      hits.delete(path)
    },
    requests,
    count: (path) => requests.filter((r) => r.path === path).length,
    reset: () => {
      routes.clear()
      hits.clear()
      requests.length = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const fn of cleanups) fn()
        cleanups.clear()
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

// ---------------------------------------------------------------------------------------------
// Behaviours

export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Fault =>
  (_req, res) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
    res.end(text)
  }

export const text =
  (status: number, body: string, contentType: string, headers: Record<string, string> = {}): Fault =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers })
    res.end(body)
  }

export const HTML_ERROR_PAGE = '<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1><p>nginx</p></body></html>\n'

export const html = (status: number, body = HTML_ERROR_PAGE): Fault => text(status, body, 'text/html; charset=utf-8')

/** Headers announce a JSON body, part of it is sent, then the connection is reset (RST). */
export const resetMidBody: Fault = (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' })
  res.write('{"access_token":"partial-tok')
  setTimeout(() => (req.socket as Socket & { resetAndDestroy?: () => void }).resetAndDestroy?.() ?? req.socket.destroy(), 20)
}

/** The connection is closed as soon as the request arrived: no status line at all. */
export const hangUp: Fault = (req) => {
  req.socket.destroy()
}

/** Never answers: no status line, no headers. The server's close() ends the connection. */
export const stallHeaders: Fault = () => undefined

/** Slowloris in reverse: a 200 and then one byte of a JSON body every `intervalMs`, forever. */
export const slowBody =
  (intervalMs = 100): Fault =>
  (_req, res, ctx) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.write('{"access_token":"')
    const timer = setInterval(() => res.write('a'), intervalMs)
    ctx.onClose(() => clearInterval(timer))
  }

/** A body of `bytes` bytes of a JSON string, announced by content-length or streamed chunked. */
export const huge =
  (bytes: number, options: { contentLength: boolean; status?: number } = { contentLength: true }): Fault =>
  (_req, res, ctx) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (options.contentLength) headers['content-length'] = String(bytes)
    res.writeHead(options.status ?? 200, headers)
    const chunk = Buffer.alloc(64 * 1024, 'a')
    chunk.write('{"access_token":"')
    let sent = 0
    let stopped = false
    ctx.onClose(() => (stopped = true))
    const pump = () => {
      while (!stopped && sent < bytes) {
        const part = chunk.subarray(0, Math.min(chunk.length, bytes - sent))
        sent += part.length
        if (!res.write(part)) return void res.once('drain', pump)
      }
      if (!stopped) res.end()
    }
    pump()
  }

/** A well-formed token response; `overrides` may set any member to a hostile value (undefined removes it). */
export const tokenResponse = (overrides: Record<string, unknown> = {}, status = 200, headers: Record<string, string> = {}): Fault => {
  const body: Record<string, unknown> = { access_token: 'fresh-access-token-from-fault-server', token_type: 'Bearer', expires_in: 3600, ...overrides }
  for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k]
  return json(status, body, headers)
}

/** A fault computed per request (e.g. from the request body). */
export const dynamic = (fn: (req: IncomingMessage, ctx: FaultContext) => Fault): Fault => (req, res, ctx) => fn(req, ctx)(req, res, ctx)

/** A port on 127.0.0.1 where nothing listens (it was free a moment ago). */
export async function refusedPort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/** One fault server for the whole file, its routes and request log reset before each test. */
export function useFaultServer(set: (fault: FaultServer) => void): void {
  let fault: FaultServer | undefined
  beforeAll(async () => {
    fault = await startFaultServer()
    set(fault)
  })
  afterAll(async () => {
    await fault?.close()
  })
  beforeEach(() => {
    fault?.reset()
  })
}
