/** Bodies and queries of the worker's receipts and the issuer's list of what expires soon. */
import { schemaId } from '../ids';
import type { Infer, Schema } from '../infer';

export const holderReceiptsRequestSchema = {
  $id: schemaId('api-holder-receipts'),
  title: "A worker's receipts: who verified its credentials",
  description:
    'A JWT signed by the device key the credentials are bound to (cnf.jwk): header typ anxin-holder+jwt, alg ES256 ' +
    'or EdDSA, jwk = the public device key; payload aud and nonce from POST /v1/holder/challenge (the nonce used ' +
    'once), iat = now.',
  type: 'object',
  properties: {
    proof: {
      type: 'string',
      minLength: 16,
      maxLength: 4096,
      pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
    },
  },
  required: ['proof'],
  additionalProperties: false,
  examples: [
    {
      proof:
        'eyJhbGciOiJFUzI1NiIsInR5cCI6ImFueGluLWhvbGRlcitqd3QifQ.eyJhdWQiOiJodHRwczovL2FueGluLmV4YW1wbGUuY24vdjEvaG9sZGVyL3JlY2VpcHRzIn0.c2lnbmF0dXJl',
    },
  ],
} as const satisfies Schema;
export type HolderReceiptsRequest = Infer<typeof holderReceiptsRequestSchema>;

/** A window of 1 to 365 days, written `<days>d`. */
export const WITHIN_PATTERN = '^(36[0-5]|3[0-5][0-9]|[12][0-9]{2}|[1-9][0-9]?)d$';

export const expiringQuerySchema = {
  $id: schemaId('api-expiring-query'),
  title: 'What expires soon (query parameters)',
  description:
    'The issuer’s active credentials, not renewed, whose validUntil falls from now to now + within; by validUntil, ' +
    'in pages of `limit`; `after` is the `next` cursor of the previous page.',
  type: 'object',
  properties: {
    within: { type: 'string', pattern: WITHIN_PATTERN, default: '30d', description: '1d to 365d' },
    limit: { type: 'string', pattern: '^([1-9][0-9]{0,2}|1000)$', default: '100', description: '1 to 1000' },
    after: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9_-]+$' },
  },
  additionalProperties: false,
  examples: [{ within: '30d' }, { within: '7d', limit: '50' }],
} as const satisfies Schema;
export type ExpiringQuery = Infer<typeof expiringQuerySchema>;
