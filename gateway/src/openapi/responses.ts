/**
 * The bodies of some answers, as components of /openapi.json: what a client reads.
 */
import { CHALLENGE_TTL_S, C_NONCE_TTL_S } from '../services/nonces';
import { VERIFICATION_REPORT } from './report';

/** The components, by name (RouteDoc `ok.schema` names one). */
export const RESPONSE_SCHEMAS = {
  VerificationReport: VERIFICATION_REPORT,
  VerifyBatchResponse: {
    type: 'object',
    description:
      'One result per credential, in the order sent: its verification report, or — when a look-up it needs failed ' +
      '(the store, or the ledger for a credential not yet projected) — an error entry in its place. The summary ' +
      'counts verified and failed reports, and the error entries when there are any (total = verified + failed + errors).',
    properties: {
      summary: {
        type: 'object',
        properties: {
          total: { type: 'integer' },
          verified: { type: 'integer' },
          failed: { type: 'integer', description: 'Reports that are not verified' },
          errors: { type: 'integer', description: 'Error entries; absent when there are none' },
        },
        required: ['total', 'verified', 'failed'],
      },
      results: {
        type: 'array',
        items: {
          oneOf: [
            { $ref: '#/components/schemas/VerificationReport' },
            {
              type: 'object',
              description:
                'This credential could not be verified now: the problem (RFC 9457) says why; a 503 status may be retried.',
              properties: { error: { $ref: '#/components/schemas/Problem' } },
              required: ['error'],
              additionalProperties: false,
            },
          ],
        },
      },
    },
    required: ['summary', 'results'],
  },
  VerifierChallenge: {
    type: 'object',
    description:
      `A one-time challenge for a presentation, good for ${CHALLENGE_TTL_S} s, usable by this verifier only. ` +
      'The holder’s key-binding JWT carries nonce and aud; POST /v1/verify names the nonce as challenge.',
    properties: {
      nonce: { type: 'string' },
      aud: { type: 'string', description: 'This verifier: <public URL>/verifiers/<principal id>' },
      expiresAt: { type: 'string', format: 'date-time' },
    },
    required: ['nonce', 'aud', 'expiresAt'],
  },
  PresentationRequestCreated: {
    type: 'object',
    description:
      `A presentation request, answerable for ${CHALLENGE_TTL_S} s, once. Show link (or qr) to the worker’s wallet; ` +
      'walletLink opens the gateway’s wallet directly from a phone camera.',
    properties: {
      id: { type: 'string' },
      request_uri: { type: 'string', format: 'uri' },
      client_id: { type: 'string', description: 'decentralized_identifier:did:web:<host>:verifier' },
      link: { type: 'string', description: 'openid4vp://?client_id=…&request_uri=…' },
      walletLink: { type: 'string', format: 'uri' },
      qr: { type: 'string', description: 'The link as a QR code, SVG' },
      expiresAt: { type: 'string', format: 'date-time' },
    },
    required: ['id', 'request_uri', 'client_id', 'link', 'walletLink', 'qr', 'expiresAt'],
  },
  PresentationRequestState: {
    type: 'object',
    description:
      'pending until the wallet answers; then verified (every credential query answered by a verified, key-bound ' +
      'presentation disclosing every asked claim) or failed; declined when the wallet said no; expired.',
    properties: {
      id: { type: 'string' },
      status: { enum: ['pending', 'verified', 'failed', 'declined', 'expired'] },
      preset: { type: 'string' },
      job: { type: 'object' },
      fields: { type: 'array', items: { type: 'object' } },
      expiresAt: { type: 'string', format: 'date-time' },
      result: {
        type: 'object',
        properties: {
          verified: { type: 'boolean' },
          answeredAt: { type: 'string', format: 'date-time' },
          credentials: {
            type: 'object',
            description:
              'By credential query id: { report, missing: asked claims not disclosed, problems?: wrong_type | holder_binding_required }',
          },
        },
      },
    },
    required: ['id', 'status', 'fields', 'expiresAt'],
  },
  CNonce: {
    type: 'object',
    description:
      `OpenID4VCI 1.0 Nonce Response: a c_nonce for a proof of possession (openid4vci-proof+jwt), good once, ` +
      `for ${C_NONCE_TTL_S} s. Sent with Cache-Control: no-store.`,
    properties: { c_nonce: { type: 'string' } },
    required: ['c_nonce'],
  },
} as const;

/** A component naming the body of an answer. */
export type ResponseSchema = keyof typeof RESPONSE_SCHEMAS;
