/**
 * Credential offers (OpenID4VCI 1.0, pre-authorized code flow): the issuer states what to
 * issue now, and the worker's wallet collects it later with the offer's code and a PIN.
 */
import { schemaId } from '../ids';
import type { Schema } from '../infer';
import { issueCredentialRequestSchema } from './bodies';

/** The longest an offer may wait for its wallet: a day (the default is 10 minutes). */
export const OFFER_MAX_TTL_S = 86_400;

// What POST /v1/credentials takes, but the holder's key and its proof: those the wallet brings.
// The format is always dc+sd-jwt (the credential is bound to the wallet's key).
const {
  holderPublicJwk: _key,
  holderProof: _proof,
  format: _format,
  ...issued
} = issueCredentialRequestSchema.properties;
// Its example is the issuance body's, less the format, and how long the offer waits.
const { format: _exampleFormat, ...issuedExample } = issueCredentialRequestSchema.examples[0];

export const createCredentialOfferRequestSchema = {
  $id: schemaId('api-create-credential-offer'),
  title: 'Offer a credential to a worker’s wallet',
  description:
    'The body of POST /v1/credentials without holderPublicJwk and holderProof: the credential is issued as ' +
    'dc+sd-jwt, bound to the wallet’s key, when the wallet redeems the offer (OpenID4VCI 1.0, pre-authorized ' +
    'code with a 6-digit transaction code told to the worker apart from the QR). Nothing is signed or anchored ' +
    'until then.',
  type: 'object',
  properties: {
    ...issued,
    expiresInSeconds: {
      type: 'integer',
      minimum: 60,
      maximum: OFFER_MAX_TTL_S,
      description: 'How long the offer may be redeemed (default 600 s).',
    },
  },
  required: ['type', 'holder', 'subject'],
  allOf: issueCredentialRequestSchema.allOf.slice(0, 3),
  additionalProperties: false,
  examples: [{ ...issuedExample, expiresInSeconds: 600 }],
} as const satisfies Schema;

export const offerQrQuerySchema = {
  $id: schemaId('api-credential-offer-qr'),
  title: 'The offer’s QR code',
  type: 'object',
  properties: { format: { type: 'string', enum: ['svg', 'png'], default: 'svg' } },
  additionalProperties: false,
  examples: [{ format: 'png' }],
} as const satisfies Schema;
