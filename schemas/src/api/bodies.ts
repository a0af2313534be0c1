/**
 * HTTP API request bodies. The gateway validates every body against these before doing
 * anything; /openapi.json publishes them.
 */
import { schemaId } from '../ids';
import type { Infer, Schema } from '../infer';
import {
  allowedTypes,
  allowedTypesNow,
  credentialId,
  credentialType,
  issuerKind,
  issuerStatus,
  orgName,
  publicJwk,
  signingAlg,
  STATUS_REASONS,
  utcDateTime,
} from '../ledger/common';
import { holderIdentitySchema } from '../subjects/holder';
import { SUBJECT_SCHEMA_BY_TYPE } from '../subjects/index';

const uscc = { type: 'string', cnUscc: true, description: 'Unified social credit code (统一社会信用代码).' } as const;

export const createIssuerRequestSchema = {
  $id: schemaId('api-create-issuer'),
  title: 'Register an issuer',
  description:
    'Registers an organisation as an issuer of some credential types. The gateway generates its first signing key ' +
    '(in custody) and an API key for it, and anchors the registration, signed by the registrar. Its kind decides ' +
    'the types it may ever be allowed (health_authority: HealthCertificate; training_body: SkillCertificate; ' +
    'employer, platform: LaborContract); its USCC is the one its credentials must name.',
  type: 'object',
  properties: {
    name: orgName,
    kind: issuerKind,
    allowedTypes,
    uscc: {
      ...uscc,
      description:
        'Unified social credit code (统一社会信用代码) of the organisation. A credential it issues names it: the ' +
        'health certificate’s issuingAuthority, the skill certificate’s certifyingBody, the labor contract’s ' +
        'employer (or platform, when a platform issues on an employer’s behalf).',
    },
    slug: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9-]{2,62}$',
      description:
        'The tail of the issuer id (urn:anxin:issuer:<slug>) and of its public URL (<public url>/issuers/<slug>), by which credentials name it; random when absent.',
    },
  },
  required: ['name', 'kind', 'allowedTypes', 'uscc'],
  additionalProperties: false,
  examples: [
    {
      name: '成都市武侯区疾病预防控制中心',
      kind: 'health_authority',
      allowedTypes: ['HealthCertificate'],
      uscc: '12510107MB1H27435B',
      slug: 'chengdu-wuhou-cdc',
    },
    {
      name: '四川快工灵活用工科技有限公司',
      kind: 'platform',
      allowedTypes: ['LaborContract'],
      uscc: '91510100MA62T8RW59',
    },
  ],
} as const satisfies Schema;
export type CreateIssuerRequest = Infer<typeof createIssuerRequestSchema>;

export const updateIssuerRequestSchema = {
  $id: schemaId('api-update-issuer'),
  title: 'Change an issuer',
  description:
    'Rename, change the allowed types, or suspend / reactivate / revoke an issuer. Authority is judged when a ' +
    'credential is anchored: suspending stops new issuance and leaves what the issuer anchored before valid; ' +
    'narrowing allowedTypes (to [] withdraws them all) does the same for the types removed; revoking fails what ' +
    'it anchored from `since` on (default: now; not in the future). A revoked issuer stays revoked; revoking it ' +
    'again may only move `since` earlier.',
  type: 'object',
  properties: {
    name: orgName,
    allowedTypes: { ...allowedTypesNow, description: 'A subset of the types the issuer’s kind may ever issue.' },
    status: issuerStatus,
    since: {
      ...utcDateTime,
      description: 'With status revoked, and only then: the instant from which what the issuer anchored fails.',
    },
  },
  minProperties: 1,
  additionalProperties: false,
  if: { type: 'object', properties: { since: { type: 'string' } }, required: ['since'] },
  then: { type: 'object', properties: { status: { const: 'revoked' } }, required: ['status'] },
  examples: [
    { status: 'suspended' },
    { allowedTypes: [] },
    { status: 'revoked' },
    { status: 'revoked', since: '2026-03-01T00:00:00Z' },
  ],
} as const satisfies Schema;
export type UpdateIssuerRequest = Infer<typeof updateIssuerRequestSchema>;

export const rotateKeyRequestSchema = {
  $id: schemaId('api-rotate-key'),
  title: 'Rotate an issuer key',
  description:
    'Adds a new signing key; by default retires the issuer’s other keys. Credentials signed by a retired key stay valid.',
  type: 'object',
  properties: {
    alg: signingAlg,
    retirePrevious: { type: 'boolean', default: true },
  },
  additionalProperties: false,
  examples: [{}, { alg: 'EdDSA', retirePrevious: false }],
} as const satisfies Schema;
export type RotateKeyRequest = Infer<typeof rotateKeyRequestSchema>;

export const compromisedKeyRequestSchema = {
  $id: schemaId('api-key-compromised'),
  title: 'Declare a key compromised',
  description:
    'Everything the key signed (anchored) from compromisedSince on fails verification; what it signed before still verifies.',
  type: 'object',
  properties: { compromisedSince: utcDateTime },
  required: ['compromisedSince'],
  additionalProperties: false,
  examples: [{ compromisedSince: '2026-03-01T00:00:00Z' }],
} as const satisfies Schema;
export type CompromisedKeyRequest = Infer<typeof compromisedKeyRequestSchema>;

export const createApiKeyRequestSchema = {
  $id: schemaId('api-create-api-key'),
  title: 'Create an API key',
  description: 'An API key for one principal with the given scopes. The key is shown once; only its hash is kept.',
  type: 'object',
  properties: {
    principal: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: ['admin', 'issuer', 'verifier'] },
        id: { type: 'string', pattern: '^[A-Za-z0-9:._-]{1,128}$' },
      },
      required: ['type', 'id'],
      additionalProperties: false,
    },
    scopes: {
      type: 'array',
      items: { type: 'string', enum: ['admin', 'issue', 'revoke', 'verify'] },
      minItems: 1,
      uniqueItems: true,
    },
    label: { type: 'string', minLength: 1, maxLength: 128, textLine: true },
  },
  required: ['principal', 'scopes'],
  additionalProperties: false,
  examples: [
    { principal: { type: 'verifier', id: 'hotpot-chengdu-chunxi' }, scopes: ['verify'], label: '春熙路店 前台' },
    { principal: { type: 'issuer', id: 'urn:anxin:issuer:chengdu-wuhou-cdc' }, scopes: ['issue', 'revoke'] },
  ],
} as const satisfies Schema;
export type CreateApiKeyRequest = Infer<typeof createApiKeyRequestSchema>;

const subjectIf = <T extends keyof typeof SUBJECT_SCHEMA_BY_TYPE>(type: T) =>
  ({
    if: { type: 'object', properties: { type: { const: type } }, required: ['type'] },
    then: { type: 'object', properties: { subject: { $ref: SUBJECT_SCHEMA_BY_TYPE[type].$id } } },
  }) as const;
const subjectByType = [
  subjectIf('LaborContract'),
  subjectIf('HealthCertificate'),
  subjectIf('SkillCertificate'),
] as const;

export const issueCredentialRequestSchema = {
  $id: schemaId('api-issue-credential'),
  title: 'Issue a credential',
  description:
    'Validates the subject with the schema of its type, builds a W3C VC 2.0 credential, signs it with the issuer’s ' +
    'current key (vc+jwt, or dc+sd-jwt for selective disclosure), anchors its digest, and answers once committed. ' +
    'Send an Idempotency-Key header so that a retry never issues twice.',
  type: 'object',
  properties: {
    type: credentialType,
    holder: { $ref: holderIdentitySchema.$id },
    subject: { type: 'object', $comment: 'closed by the subject schema of its type, applied by allOf below' },
    validFrom: utcDateTime,
    validUntil: utcDateTime,
    format: { type: 'string', enum: ['vc+jwt', 'dc+sd-jwt'], default: 'vc+jwt' },
    holderPublicJwk: {
      ...publicJwk,
      description:
        'The worker’s device key, for SD-JWT key binding (cnf): presentations must then be signed by it. ' +
        'A public key on its curve; it needs holderProof.',
    },
    holderProof: {
      type: 'string',
      minLength: 16,
      maxLength: 4096,
      pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
      description:
        'Proof that whoever asks for the binding holds holderPublicJwk’s private key, as OpenID4VCI 1.0’s jwt ' +
        'proof type: a compact JWS with header typ openid4vci-proof+jwt, alg ES256 or EdDSA, jwk = holderPublicJwk; ' +
        'payload aud = the gateway’s public URL, iat = now, nonce = a c_nonce from POST /v1/nonce (used once).',
    },
    replaces: {
      ...credentialId,
      description:
        'Renewal: the id of the credential this one replaces — the issuer’s own, of the same type, for the same ' +
        'holder (the holder given must be the one it names), not renewed before. The ledger links both ways; ' +
        'GET /v1/credentials/{id}/status names replaces and replacedBy.',
    },
    supersede: {
      type: 'boolean',
      description:
        'With replaces: revoke the replaced credential as superseded in the same ledger transaction — a re-issue ' +
        'to a new device key (holderPublicJwk + holderProof) after the worker was checked again.',
    },
  },
  required: ['type', 'holder', 'subject'],
  allOf: [
    ...subjectByType,
    // Binding a credential to a key takes proof of holding that key.
    {
      if: { type: 'object', properties: { holderPublicJwk: { type: 'object' } }, required: ['holderPublicJwk'] },
      then: { type: 'object', properties: { holderProof: { type: 'string' } }, required: ['holderProof'] },
    },
  ],
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
      format: 'dc+sd-jwt',
    },
  ],
} as const satisfies Schema;

export const statusChangeRequestSchema = {
  $id: schemaId('api-status-change'),
  title: 'Revoke, suspend or reinstate a credential',
  description: 'The reason is a stable code; each action accepts its own subset (see the ledger statement schemas).',
  type: 'object',
  properties: { reason: { type: 'string', enum: STATUS_REASONS } },
  required: ['reason'],
  additionalProperties: false,
  examples: [{ reason: 're_examination_pending' }, { reason: 'contract_terminated' }],
} as const satisfies Schema;
export type StatusChangeRequest = Infer<typeof statusChangeRequestSchema>;

const verifyOptions = {
  nonce: {
    type: 'string',
    minLength: 8,
    maxLength: 256,
    description: 'Expected nonce of an SD-JWT key-binding JWT: a nonce of your own (see challenge for the gateway’s).',
  },
  audience: { type: 'string', minLength: 1, maxLength: 512, description: 'Expected aud of an SD-JWT key-binding JWT.' },
  holderBinding: {
    type: 'string',
    enum: ['optional', 'required'],
    description:
      'Deprecated, ignored: a credential bound to a key (cnf) never verifies without a valid key-binding JWT, ' +
      'and one not bound has nothing to bind. Accepted so that older clients keep working.',
  },
} as const;

export const verifyRequestSchema = {
  $id: schemaId('api-verify'),
  title: 'Verify a credential',
  description:
    'A compact JWS (vc+jwt), an SD-JWT presentation, or the text of a QR work card. Always answers with a report. ' +
    'With challenge, the key-binding JWT must answer that challenge (its nonce and aud), which is used up.',
  type: 'object',
  properties: {
    credential: { type: 'string', maxLength: 65536 },
    challenge: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]{16,128}$',
      description:
        'The nonce of a challenge from POST /v1/verify/challenges (yours, unexpired, unused): the report’s ' +
        'presentation.binding is then "challenge". Not with nonce or audience.',
    },
    ...verifyOptions,
  },
  required: ['credential'],
  additionalProperties: false,
  allOf: [
    {
      if: { type: 'object', properties: { challenge: { type: 'string' } }, required: ['challenge'] },
      then: { type: 'object', properties: { nonce: false, audience: false } },
    },
  ],
  examples: [
    { credential: 'eyJhbGciOiJFUzI1NiIsImtpZCI6InVybjphbnhpbjppc3N1ZXI6Y2hlbmdkdS13dWhvdS1jZGMj...' },
    {
      credential:
        'eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCIsImtpZCI6InVybjphbnhpbjppc3N1ZXI6...~...~eyJ0eXAiOiJrYitqd3Qi...',
      challenge: 'q3Xh0mB1uGk7yC9r2aVf5tWnE8dLs4Jp',
    },
  ],
} as const satisfies Schema;
export type VerifyRequest = Infer<typeof verifyRequestSchema>;

export const verifyBatchRequestSchema = {
  $id: schemaId('api-verify-batch'),
  title: 'Verify up to 1000 credentials',
  type: 'object',
  properties: {
    credentials: { type: 'array', items: { type: 'string', maxLength: 65536 }, minItems: 1, maxItems: 1000 },
    ...verifyOptions,
  },
  required: ['credentials'],
  additionalProperties: false,
  examples: [{ credentials: ['eyJhbGciOiJFUzI1NiIs...', 'eyJhbGciOiJFUzI1NiIs...'] }],
} as const satisfies Schema;
export type VerifyBatchRequest = Infer<typeof verifyBatchRequestSchema>;

export const printableCardQuerySchema = {
  $id: schemaId('api-card-query'),
  title: 'A printable work card (query parameters)',
  description:
    'Which members the card shows (group.member paths or whole groups, comma-separated) and the file: an SVG card, or the PNG of its QR code alone.',
  type: 'object',
  properties: {
    disclose: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)?(,[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)?)*$',
      description: 'e.g. holder.name,healthCertificate.categories,healthCertificate.validity',
    },
    format: { type: 'string', enum: ['svg', 'png'], default: 'svg' },
  },
  required: ['disclose'],
  additionalProperties: false,
  examples: [
    { disclose: 'holder.name,healthCertificate.categories,healthCertificate.validity,healthCertificate.result' },
    { disclose: 'skillCertificate', format: 'png' },
  ],
} as const satisfies Schema;
export type PrintableCardQuery = Infer<typeof printableCardQuerySchema>;

export const webhookRequestSchema = {
  $id: schemaId('api-webhook'),
  title: "A verifier's webhook",
  description:
    "Where to POST a signed notification when a credential this verifier checked in the last 30 days is suspended, revoked or reinstated: https, or plain http to the gateway's own machine.",
  type: 'object',
  properties: { url: { type: 'string', minLength: 8, maxLength: 2048, format: 'uri' } },
  required: ['url'],
  additionalProperties: false,
  examples: [{ url: 'https://hr.hotpot-chunxi.example.cn/anxin/notifications' }],
} as const satisfies Schema;
export type WebhookRequest = Infer<typeof webhookRequestSchema>;
