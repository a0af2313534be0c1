/** HTTP API request body for rotating the registrar's keys. */
import { schemaId } from '../ids';
import type { Infer, Schema } from '../infer';
import { keyId, signingAlg } from '../ledger/common';

export const rotateRegistrarRequestSchema = {
  $id: schemaId('api-rotate-registrar'),
  title: 'Rotate the registrar key',
  description:
    'Adds a new registrar key, held by this gateway, with a statement signed by a registrar key it holds. By ' +
    'default the signing key is retired in the same statement; `retire` names another key to retire, `false` ' +
    'retires none. Issuers registered before stay as they are.',
  type: 'object',
  properties: {
    alg: signingAlg,
    retire: { anyOf: [keyId, { const: false }] },
  },
  additionalProperties: false,
  examples: [{}, { alg: 'EdDSA', retire: false }, { retire: 'kA5dxbEfN-zvBjK9n4J3o6UmcsWxSTjb4OrewTY5BvU' }],
} as const satisfies Schema;
export type RotateRegistrarRequest = Infer<typeof rotateRegistrarRequestSchema>;
