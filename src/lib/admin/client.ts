import { redactJson } from '../redact.js'
import type { AdminClient } from './types.js'

/**
 * The common client a back end built, with its raw object (the server's own). The raw object is
 * redacted here, once, so that no back end can hand a secret or a registration access token to
 * `list`/`get`.
 * Not parsed again: the fields come from a server response its back end's schema validated, and
 * their shape is checked by the compiler (and by the back-end tests against AdminClientSchema);
 * a second parse per client was a third of the CPU of listing 10,000 clients.
 */
export function adminClient(client: Omit<AdminClient, 'raw'> & { raw: object }): AdminClient {
  // In place, not a spread copy: the object is the literal the back end just built for this call.
  const redacted = client as AdminClient
  redacted.raw = redactJson(client.raw) as Record<string, unknown>
  return redacted
}
