import { z } from 'zod'

/** The pieces every `--json` document is built from (src/lib/documents/json-schemas.ts); here because the token document needs them. */
export const isoDate = z.iso.datetime({ offset: true }).describe('ISO 8601 date and time')
export const epochSeconds = z.int().nonnegative().describe('seconds since 1970-01-01T00:00:00Z')
/** A document a server wrote, passed through with its own field names. */
export const serverDocument = (what: string) => z.record(z.string(), z.unknown()).describe(what)

/** The `…At`/`…AtEpoch` pair of an expiry. */
export const expiry = { expiresAt: isoDate, expiresAtEpoch: epochSeconds }

/** `token get -o json`: built without zod by token-output.cts (the fast path loads no zod); the tests hold it to this schema. */
export const TokenJsonSchema = z.strictObject({
  accessToken: z.string().min(1),
  tokenType: z.string().describe('Bearer or DPoP'),
  ...expiry,
  scopes: z.array(z.string()).describe('the scopes the token has: the response\'s scope, else what was asked for (RFC 6749 §5.1)'),
  refreshToken: z.string().optional(),
  idToken: z.string().optional(),
  issuedTokenType: z.string().optional().describe('token exchange (RFC 8693)'),
  dpopProof: z.string().optional().describe('with --dpop-proof: a proof for the --htm/--htu request'),
  response: serverDocument('the token response as the server sent it (snake_case, RFC 6749)'),
})

export type TokenJson = z.infer<typeof TokenJsonSchema>
