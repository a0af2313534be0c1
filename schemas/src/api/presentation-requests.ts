/**
 * A verifier's presentation request (OpenID4VP 1.0): what a job needs from the worker's
 * wallet, as a job preset or as a DCQL query of its own (the subset the gateway answers:
 * SD-JWT VCs of Anxin's types, claims by path, no value matching).
 */
import { schemaId } from '../ids';
import type { Infer } from '../infer';

/** The job presets a verifier may name; each is a DCQL query the gateway keeps. */
export const PRESENTATION_PRESETS = ['food_service_shift', 'construction_site', 'contract_check'] as const;
export type PresentationPreset = (typeof PRESENTATION_PRESETS)[number];

/** A DCQL identifier (OpenID4VP 1.0 §6.1: alphanumeric, underscore, hyphen). */
const dcqlId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;

const dcqlQuery = {
  description:
    'OpenID4VP 1.0 §6: each credential query names format dc+sd-jwt, the vct values it accepts and the claims ' +
    'it needs by path (["holder","name"], ["healthCertificate","validity"]). Every credential query is required.',
  type: 'object',
  properties: {
    credentials: {
      type: 'array',
      minItems: 1,
      maxItems: 3,
      items: {
        type: 'object',
        properties: {
          id: dcqlId,
          format: { const: 'dc+sd-jwt' },
          meta: {
            type: 'object',
            properties: {
              vct_values: { type: 'array', minItems: 1, maxItems: 4, items: { type: 'string', maxLength: 512 } },
            },
            required: ['vct_values'],
            additionalProperties: false,
          },
          claims: {
            type: 'array',
            minItems: 1,
            maxItems: 16,
            items: {
              type: 'object',
              properties: {
                id: dcqlId,
                path: {
                  type: 'array',
                  minItems: 1,
                  maxItems: 2,
                  items: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
                },
              },
              required: ['path'],
              additionalProperties: false,
            },
          },
        },
        required: ['id', 'format', 'meta', 'claims'],
        additionalProperties: false,
      },
    },
  },
  required: ['credentials'],
  additionalProperties: false,
} as const;

export type DcqlQuery = Infer<typeof dcqlQuery>;

export const createPresentationRequestSchema = {
  $id: schemaId('api-create-presentation-request'),
  title: 'Ask a worker’s wallet for a presentation',
  description:
    'A job preset, or a DCQL query of your own. The answer holds the openid4vp:// link and its QR code for the ' +
    'wallet; the result arrives at GET /v1/presentation-requests/{id}.',
  type: 'object',
  properties: {
    preset: { type: 'string', enum: [...PRESENTATION_PRESETS] },
    dcql: dcqlQuery,
  },
  additionalProperties: false,
  // Exactly one of them.
  minProperties: 1,
  maxProperties: 1,
  examples: [
    { preset: 'food_service_shift' },
    {
      dcql: {
        credentials: [
          {
            id: 'health',
            format: 'dc+sd-jwt',
            meta: { vct_values: ['https://anxin.example.cn/vct/v1/HealthCertificate'] },
            claims: [{ path: ['holder', 'name'] }, { path: ['healthCertificate', 'validity'] }],
          },
        ],
      },
    },
  ],
} as const;

export type CreatePresentationRequest = Infer<typeof createPresentationRequestSchema>;
