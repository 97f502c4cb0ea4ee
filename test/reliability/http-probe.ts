import { request } from 'node:http'
import { connect } from 'node:net'

export interface ProbeAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * One request on a fresh connection with full control of the target, Host and headers; bounded by
 * `timeoutMs`. Rejects with the socket error (e.g. ECONNREFUSED) when there is no answer.
 */
export function probe(
  port: number,
  path: string,
  options: { method?: string; host?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        agent: false,
        headers: { host: options.host ?? `127.0.0.1:${port}`, ...options.headers },
        timeout: options.timeoutMs ?? 5_000,
        // Let the probe send what a hostile client would: the server must cope, not the probe.
        insecureHTTPParser: true,
        maxHeaderSize: 1024 * 1024,
      },
      (res) => {
        let body = ''
        res.on('data', (d: Buffer) => (body += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 5_000} ms`)))
    req.end(options.body)
  })
}

/** Whether nothing accepts connections on 127.0.0.1:port (bounded: 2 s). */
export const portClosed = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.setTimeout(2_000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })

/** Send raw bytes as a request and read whatever comes back until the server closes (bounded). */
export function rawRequest(port: number, raw: string | Buffer, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    let out = ''
    const timer = setTimeout(() => socket.destroy(), timeoutMs)
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(out)
    })
    socket.on('connect', () => socket.end(raw))
  })
}
