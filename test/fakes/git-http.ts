import { execFileSync, spawn } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { listenOnLoopback } from '../helpers/loopback.js'

export interface FakeGitServer {
  /** http://127.0.0.1:PORT */
  origin: string
  /** Passwords presented with Basic auth, in order (accepted or not). */
  passwords: string[]
  close(): Promise<void>
}

/**
 * git's smart HTTP protocol on loopback: node:http in front of `git http-backend` (CGI, from git's
 * exec path), serving the repositories under `root`. Every request needs Basic credentials whose
 * password `accepts` (401 with a Basic challenge otherwise), as a forge that takes tokens does.
 */
export async function startGitServer(root: string, accepts: (password: string) => Promise<boolean>): Promise<FakeGitServer> {
  const backend = join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend')
  const passwords: string[] = []
  const server: Server = createServer(async (req, res) => {
    const basic = /^Basic (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
    const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : ''
    const password = decoded.slice(decoded.indexOf(':') + 1)
    if (basic) passwords.push(password)
    if (!basic || !(await accepts(password))) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="fake forge"' })
      return void res.end('unauthorized\n')
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const cgi = spawn(backend, [], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: req.method,
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_USER: decoded.slice(0, decoded.indexOf(':')),
        REMOTE_ADDR: '127.0.0.1',
        ...(req.headers['content-encoding'] && { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }),
        ...(req.headers['git-protocol'] && { GIT_PROTOCOL: String(req.headers['git-protocol']) }),
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    })
    req.pipe(cgi.stdin)
    const chunks: Buffer[] = []
    cgi.stdout.on('data', (d: Buffer) => chunks.push(d))
    cgi.on('close', () => {
      // CGI output: headers, a blank line, the body; "Status:" sets the status code.
      const output = Buffer.concat(chunks)
      const split = output.indexOf('\r\n\r\n')
      const head = output.subarray(0, split).toString('latin1').split('\r\n')
      let status = 200
      for (const line of head) {
        const [name, ...rest] = line.split(':')
        const value = rest.join(':').trim()
        if (name?.toLowerCase() === 'status') status = Number.parseInt(value, 10)
        else if (name) res.setHeader(name, value)
      }
      res.writeHead(status)
      res.end(output.subarray(split + 4))
    })
  })
  const { port, close } = await listenOnLoopback(server)
  return { origin: `http://127.0.0.1:${port}`, passwords, close }
}
