import { redactJson } from '../redact.js'
import { type AdminClient, AdminClientSchema } from './types.js'

/**
 * The common client from a back end's fields and its raw object. The raw object is redacted here,
 * once, so that no back end can hand a secret or a registration access token to `list`/`get`.
 * A shape violation is a bug in the back end (exit 1), not a server fault: the server's response
 * was validated before this.
 */
export function adminClient(fields: Omit<AdminClient, 'raw'>, raw: object): AdminClient {
  return AdminClientSchema.parse({ ...fields, raw: redactJson(raw) })
}
