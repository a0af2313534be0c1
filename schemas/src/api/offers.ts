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
  examples: [
    {
      type: 'HealthCertificate',
      holder: { name: '张伟', idNumber: '510107199003078817' },
      subject: {
        certificateNumber: '5101072026031200457',
        issuingAuthority: { name: '成都市武侯区疾病预防控制中心', uscc: '12510107MB1H27435B' },
        categories: ['food_service'],
        examDate: '2026-03-12',
        validity: { from: '2026-03-20', until: '2027-03-19' },
        result: 'fit',
      },
      expiresInSeconds: 600,
    },
  ],
} as const satisfies Schema;

export const offerQrQuerySchema = {
  $id: schemaId('api-credential-offer-qr'),
  title: 'The offer’s QR code',
  type: 'object',
  properties: { format: { type: 'string', enum: ['svg', 'png'], default: 'svg' } },
  additionalProperties: false,
  examples: [{ format: 'png' }],
} as const satisfies Schema;
