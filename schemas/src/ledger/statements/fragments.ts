/** Schema parts every statement, or every statement that adds a key, shares. */
import { algFitsKey, keyId, publicJwk, signingAlg, statementId, utcDateTime } from '../common';

export const envelope = {
  jti: { ...statementId, description: 'Unique statement id: a statement is applied at most once.' },
  iat: { type: 'integer', minimum: 0, maximum: 253402300799, description: 'Seconds since the epoch when signed.' },
} as const;

export const newKey = {
  type: 'object',
  properties: {
    keyId,
    alg: signingAlg,
    publicJwk,
    notBefore: { ...utcDateTime, description: 'When the key may start signing; the transaction time when absent.' },
  },
  required: ['keyId', 'alg', 'publicJwk'],
  allOf: algFitsKey,
  additionalProperties: false,
} as const;
