/**
 * Building blocks shared by the ledger records and statements. Everything here is
 * public data: no field may ever hold personal data (names of people, ID numbers,
 * phone numbers, diagnoses, salaries).
 */

export const CREDENTIAL_TYPES = ['LaborContract', 'HealthCertificate', 'SkillCertificate'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

export const ISSUER_KINDS = ['employer', 'health_authority', 'training_body', 'platform'] as const;
export type IssuerKind = (typeof ISSUER_KINDS)[number];

/**
 * Who may issue what, by issuer kind: health certificates only from a health authority,
 * skill certificates only from a training body, labor contracts from an employer or a
 * labor platform. An issuer's `allowedTypes` may only ever be a subset of its kind's. The
 * one home of this rule: the chaincode, the gateway and the documentation all read it here.
 */
export const TYPES_BY_ISSUER_KIND = {
  employer: ['LaborContract'],
  platform: ['LaborContract'],
  health_authority: ['HealthCertificate'],
  training_body: ['SkillCertificate'],
} as const satisfies Record<IssuerKind, readonly CredentialType[]>;

/**
 * The types in `types` an issuer of `kind` may never be allowed; empty when all fit.
 *
 * @example
 * typesOutsideKind('employer', ['HealthCertificate']) // ['HealthCertificate']
 */
export function typesOutsideKind(kind: IssuerKind, types: readonly CredentialType[]): CredentialType[] {
  const allowed: readonly CredentialType[] = TYPES_BY_ISSUER_KIND[kind] ?? [];
  return types.filter((t) => !allowed.includes(t));
}

export const ISSUER_STATUSES = ['active', 'suspended', 'revoked'] as const;
export type IssuerStatus = (typeof ISSUER_STATUSES)[number];

export const ANCHOR_STATUSES = ['active', 'suspended', 'revoked'] as const;
export type AnchorStatus = (typeof ANCHOR_STATUSES)[number];

/** Signature algorithms the whole system accepts. Nothing else, ever (no `none`, no HMAC). */
export const SIGNING_ALGS = ['ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/**
 * Why a credential's status changed. Codes are stable: never renamed once published.
 */
export const STATUS_REASONS = [
  'issued_in_error',
  'superseded',
  'contract_ended',
  'contract_terminated',
  're_examination_pending',
  're_examination_failed',
  're_examination_passed',
  'investigation',
  'investigation_closed',
  'fraud',
  'key_compromise',
  'holder_request',
  'other',
] as const;
export type StatusReason = (typeof STATUS_REASONS)[number];

/** Reasons each status change may give. */
export const REVOKE_REASONS = [
  'issued_in_error',
  'superseded',
  'contract_ended',
  'contract_terminated',
  're_examination_failed',
  'fraud',
  'key_compromise',
  'holder_request',
  'other',
] as const satisfies readonly StatusReason[];
export const SUSPEND_REASONS = [
  're_examination_pending',
  'investigation',
  'key_compromise',
  'holder_request',
  'other',
] as const satisfies readonly StatusReason[];
export const REINSTATE_REASONS = [
  're_examination_passed',
  'investigation_closed',
  'issued_in_error',
  'other',
] as const satisfies readonly StatusReason[];

export const utcDateTime = {
  type: 'string',
  format: 'date-time',
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$',
  description: 'RFC 3339 date-time in UTC (ends with Z).',
} as const;

export const sha256Hex = {
  type: 'string',
  pattern: '^[0-9a-f]{64}$',
  description: 'SHA-256, lowercase hex.',
} as const;

export const credentialId = {
  type: 'string',
  pattern: '^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  description: 'Credential id: a lowercase urn:uuid.',
} as const;

export const issuerId = {
  type: 'string',
  pattern: '^urn:anxin:issuer:[a-z0-9][a-z0-9-]{2,62}$',
  description: 'Issuer id: urn:anxin:issuer:<slug>.',
} as const;

export const keyId = {
  type: 'string',
  pattern: '^[A-Za-z0-9_-]{43}$',
  description: 'Key id: the RFC 7638 SHA-256 JWK thumbprint of the public key, base64url.',
} as const;

export const kid = {
  type: 'string',
  pattern: '^(urn:anxin:issuer:[a-z0-9][a-z0-9-]{2,62}|registrar)#[A-Za-z0-9_-]{43}$',
  description: 'JOSE kid: <issuer id>#<key id>, or registrar#<key id> for registrar keys.',
} as const;

export const issuerKid = {
  type: 'string',
  pattern: '^urn:anxin:issuer:[a-z0-9][a-z0-9-]{2,62}#[A-Za-z0-9_-]{43}$',
  description: 'JOSE kid of an issuer key: <issuer id>#<key id>.',
} as const;

export const registrarKid = {
  type: 'string',
  pattern: '^registrar#[A-Za-z0-9_-]{43}$',
  description: 'JOSE kid of a registrar key: registrar#<key id>.',
} as const;

export const holderRef = {
  type: 'string',
  pattern: '^[A-Za-z0-9_-]{43}$',
  description: 'base64url(sha-256(salt || holder id)); the 128-bit salt stays in the credential.',
} as const;

export const credentialType = { type: 'string', enum: CREDENTIAL_TYPES } as const;
export const anchorStatus = { type: 'string', enum: ANCHOR_STATUSES } as const;
export const issuerStatus = { type: 'string', enum: ISSUER_STATUSES } as const;
export const issuerKind = { type: 'string', enum: ISSUER_KINDS } as const;
export const signingAlg = { type: 'string', enum: SIGNING_ALGS } as const;
export const statusReason = { type: 'string', enum: STATUS_REASONS } as const;

export const allowedTypes = {
  type: 'array',
  items: credentialType,
  minItems: 1,
  uniqueItems: true,
} as const;

/**
 * The types an issuer may issue from now on, after the registrar changed them: possibly
 * none (each kind has a single type, so narrowing can only withdraw it). What the issuer
 * anchored before stays valid.
 */
export const allowedTypesNow = {
  type: 'array',
  items: credentialType,
  uniqueItems: true,
} as const;

export const b64urlCoord = { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } as const;

/**
 * A public JWK. Closed: a private part (`d`) or any other member makes it invalid, so a
 * private key can never reach the ledger by mistake.
 */
export const publicJwk = {
  type: 'object',
  properties: { kty: { type: 'string', enum: ['EC', 'OKP'] } },
  required: ['kty'],
  discriminator: { propertyName: 'kty' },
  oneOf: [
    {
      type: 'object',
      properties: {
        kty: { const: 'EC' },
        crv: { const: 'P-256' },
        x: b64urlCoord,
        y: b64urlCoord,
      },
      required: ['kty', 'crv', 'x', 'y'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        kty: { const: 'OKP' },
        crv: { const: 'Ed25519' },
        x: b64urlCoord,
      },
      required: ['kty', 'crv', 'x'],
      additionalProperties: false,
    },
  ],
} as const;

/** `alg` must fit the key: ES256 ⇔ EC P-256, EdDSA ⇔ OKP Ed25519. For objects with `alg` and `publicJwk`. */
export const algFitsKey = [
  {
    if: { type: 'object', properties: { alg: { const: 'ES256' } }, required: ['alg'] },
    then: { type: 'object', properties: { publicJwk: { type: 'object', properties: { kty: { const: 'EC' } } } } },
  },
  {
    if: { type: 'object', properties: { alg: { const: 'EdDSA' } }, required: ['alg'] },
    then: { type: 'object', properties: { publicJwk: { type: 'object', properties: { kty: { const: 'OKP' } } } } },
  },
] as const;

/**
 * Organisation name (employer, clinic, training body): public, never a person. One line of
 * displayed text (`textLine`: see text-line.ts), so what a verifier reads is what was signed.
 */
export const orgName = {
  type: 'string',
  minLength: 2,
  maxLength: 128,
  textLine: true,
  description:
    'Organisation name: one line of text (no control, format or invisible characters, no surrounding white space, Unicode NFC).',
} as const;

export const statementId = {
  type: 'string',
  format: 'uuid',
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
} as const;
