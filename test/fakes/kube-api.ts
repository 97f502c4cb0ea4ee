import { createServer, type Server } from 'node:https'
import { listenOnLoopback } from '../helpers/loopback.js'

export interface FakeKubeApi {
  /** https://127.0.0.1:PORT */
  server: string
  /** The bearer tokens presented, in order (accepted or not). */
  presented: string[]
  close(): Promise<void>
}

/**
 * The part of a Kubernetes API server kubectl needs for `kubectl get --raw /api`: TLS, a bearer
 * token checked on every request (401 with a Status document otherwise), and the APIVersions answer.
 */
export async function startFakeKubeApi(tls: { cert: string; key: string }, accepts: (token: string) => Promise<boolean>): Promise<FakeKubeApi> {
  const presented: string[] = []
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, async (req, res) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (token) presented.push(token)
    res.setHeader('content-type', 'application/json')
    if (!token || !(await accepts(token))) {
      res.writeHead(401)
      return void res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }))
    }
    if (req.url !== '/api') {
      res.writeHead(404)
      return void res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404 }))
    }
    res.end(JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: req.headers.host }] }))
  })
  const { port, close } = await listenOnLoopback(server)
  return { server: `https://127.0.0.1:${port}`, presented, close }
}
