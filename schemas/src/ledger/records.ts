/**
 * What the world state of the ledger holds. Written by the chaincode as canonical JSON
 * (RFC 8785), read back by the gateway, the CLI and the auditor's replay.
 */
import { schemaId } from '../ids';
import type { Infer, Schema } from '../infer';
import {
  algFitsKey,
  allowedTypesNow,
  anchorStatus,
  credentialId,
  credentialType,
  holderRef,
  issuerId,
  issuerKid,
  issuerKind,
  issuerStatus,
  keyId,
  registrarKid,
  orgName,
  publicJwk,
  sha256Hex,
  signingAlg,
  statusReason,
  utcDateTime,
} from './common';
import { statusEntry } from './status-entry';

export const issuerKeyRecordSchema = {
  $id: schemaId('ledger-issuer-key'),
  title: 'Issuer key (ledger)',
  description:
    'A public signing key of an issuer. A key signs from notBefore; it stops signing at retiredAt ' +
    '(what it signed before stays valid); revokedAt marks it compromised since that instant ' +
    '(everything it signed from then on is void).',
  type: 'object',
  properties: {
    keyId,
    kid: issuerKid,
    alg: signingAlg,
    publicJwk,
    notBefore: utcDateTime,
    retiredAt: utcDateTime,
    revokedAt: utcDateTime,
  },
  required: ['keyId', 'kid', 'alg', 'publicJwk', 'notBefore'],
  allOf: algFitsKey,
  additionalProperties: false,
  examples: [
    {
      keyId: 'fq0lLhpNNughc5QlpHxbEvt_zwTMq-CjmakoeuvFOZw',
      kid: 'urn:anxin:issuer:chengdu-jinniu-cdc#fq0lLhpNNughc5QlpHxbEvt_zwTMq-CjmakoeuvFOZw',
      alg: 'ES256',
      publicJwk: {
        kty: 'EC',
        crv: 'P-256',
        x: 'edYpWsYGeNGQTUquiZXtMqNMcd68ewDYXhv3IUvXP-A',
        y: 'NrAe-l8uRdhl_Md3tyCR1goGFchpGFT1BwmzRyaFo-Q',
      },
      notBefore: '2026-03-01T00:00:00Z',
    },
  ],
} as const satisfies Schema;
export type IssuerKeyRecord = Infer<typeof issuerKeyRecordSchema>;

export const issuerRecordSchema = {
  $id: schemaId('ledger-issuer'),
  title: 'Issuer (ledger)',
  description:
    'An organisation allowed to issue some credential types, with its public keys. Its authority is judged when ' +
    'a credential is anchored: a suspended issuer anchors nothing new, and what it anchored before stays valid; ' +
    'a revoked one anchors nothing, and what it anchored from revokedSince on fails.',
  type: 'object',
  properties: {
    id: issuerId,
    name: orgName,
    kind: issuerKind,
    uscc: {
      type: 'string',
      cnUscc: true,
      description: 'Unified social credit code of the organisation: its credentials name it.',
    },
    allowedTypes: {
      ...allowedTypesNow,
      description: 'What it may anchor from now on: a subset of its kind’s types (TYPES_BY_ISSUER_KIND).',
    },
    status: issuerStatus,
    suspendedAt: { ...utcDateTime, description: 'When it was suspended; only while it is.' },
    revokedSince: {
      ...utcDateTime,
      description: 'With status revoked: what it anchored from this instant on fails verification.',
    },
    keys: { type: 'array', items: issuerKeyRecordSchema, minItems: 1 },
    registeredAt: utcDateTime,
    updatedAt: utcDateTime,
  },
  required: ['id', 'name', 'kind', 'uscc', 'allowedTypes', 'status', 'keys', 'registeredAt', 'updatedAt'],
  allOf: [
    {
      if: { type: 'object', properties: { status: { const: 'revoked' } }, required: ['status'] },
      then: { type: 'object', properties: { revokedSince: { type: 'string' } }, required: ['revokedSince'] },
      else: { type: 'object', properties: { revokedSince: false } },
    },
    {
      if: { type: 'object', properties: { status: { const: 'suspended' } }, required: ['status'] },
      else: { type: 'object', properties: { suspendedAt: false } },
    },
  ],
  additionalProperties: false,
  examples: [
    {
      id: 'urn:anxin:issuer:chengdu-jinniu-cdc',
      name: '成都市金牛区疾病预防控制中心',
      kind: 'health_authority',
      uscc: '12510106MB0P42612H',
      allowedTypes: ['HealthCertificate'],
      status: 'active',
      keys: [
        {
          keyId: 'fq0lLhpNNughc5QlpHxbEvt_zwTMq-CjmakoeuvFOZw',
          kid: 'urn:anxin:issuer:chengdu-jinniu-cdc#fq0lLhpNNughc5QlpHxbEvt_zwTMq-CjmakoeuvFOZw',
          alg: 'ES256',
          publicJwk: {
            kty: 'EC',
            crv: 'P-256',
            x: 'edYpWsYGeNGQTUquiZXtMqNMcd68ewDYXhv3IUvXP-A',
            y: 'NrAe-l8uRdhl_Md3tyCR1goGFchpGFT1BwmzRyaFo-Q',
          },
          notBefore: '2026-03-01T00:00:00Z',
        },
      ],
      registeredAt: '2026-03-01T00:00:00Z',
      updatedAt: '2026-03-01T00:00:00Z',
    },
  ],
} as const satisfies Schema;
export type IssuerRecord = Infer<typeof issuerRecordSchema>;

export const anchorRecordSchema = {
  $id: schemaId('ledger-anchor'),
  title: 'Credential anchor (ledger)',
  description:
    'The fingerprint of one issued credential and its current status. Holds no personal data: ' +
    'the holder appears only as a salted commitment.',
  type: 'object',
  properties: {
    id: credentialId,
    type: credentialType,
    issuer: issuerId,
    kid: issuerKid,
    digest: {
      ...sha256Hex,
      description: 'SHA-256 of the issuer-signed JWS compact string (for SD-JWT: of the part before the first ~).',
    },
    holderRef,
    validFrom: utcDateTime,
    validUntil: utcDateTime,
    status: anchorStatus,
    statusReason: {
      ...statusReason,
      description: 'Reason of the last status change; required unless the credential is active.',
    },
    statusEntry,
    replaces: { ...credentialId, description: 'The credential this one renews (same issuer, type and holder).' },
    replacedBy: { ...credentialId, description: 'The credential that renews this one; set once.' },
    anchoredAt: utcDateTime,
    txId: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    updatedAt: utcDateTime,
  },
  required: [
    'id',
    'type',
    'issuer',
    'kid',
    'digest',
    'holderRef',
    'validFrom',
    'status',
    'anchoredAt',
    'txId',
    'updatedAt',
  ],
  if: { type: 'object', properties: { status: { enum: ['suspended', 'revoked'] } }, required: ['status'] },
  then: { type: 'object', properties: { statusReason }, required: ['statusReason'] },
  additionalProperties: false,
  examples: [
    {
      id: 'urn:uuid:3f1c2a9e-8d4b-4c6f-9a1e-2b7d5e8f0c13',
      type: 'HealthCertificate',
      issuer: 'urn:anxin:issuer:chengdu-jinniu-cdc',
      kid: 'urn:anxin:issuer:chengdu-jinniu-cdc#fq0lLhpNNughc5QlpHxbEvt_zwTMq-CjmakoeuvFOZw',
      digest: '9f2b5c1d0e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c',
      holderRef: 'Doz8EGyN-MDl8nWSi1DHepqRmIuoxv2glq2BPcyGrqs',
      validFrom: '2026-03-20T00:00:00Z',
      validUntil: '2027-03-19T23:59:59Z',
      status: 'active',
      statusEntry: { list: 'q3Vb7TnWc1aE0sLk', idx: 93_417 },
      anchoredAt: '2026-03-20T01:12:03.120Z',
      txId: 'b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6',
      updatedAt: '2026-03-20T01:12:03.120Z',
    },
  ],
} as const satisfies Schema;
export type AnchorRecord = Infer<typeof anchorRecordSchema>;

export const registrarRecordSchema = {
  $id: schemaId('ledger-registrar'),
  title: 'Registrar keys (ledger)',
  description:
    'The keys allowed to register issuers, change issuers and their keys, and rotate the registrar keys. Fixed at ' +
    'initialisation (valid from then on); rotateRegistrar adds keys (valid from notBefore) and retires them ' +
    '(valid until retiredAt). A retired key stays listed: what it signed before is checked against it.',
  type: 'object',
  properties: {
    keys: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      items: {
        type: 'object',
        properties: {
          keyId,
          kid: registrarKid,
          alg: signingAlg,
          publicJwk,
          notBefore: { ...utcDateTime, description: 'Added by rotateRegistrar: may sign from this instant on.' },
          retiredAt: { ...utcDateTime, description: 'Retired by rotateRegistrar: signs nothing from this instant on.' },
        },
        required: ['keyId', 'kid', 'alg', 'publicJwk'],
        allOf: algFitsKey,
        additionalProperties: false,
      },
    },
    initialisedAt: utcDateTime,
  },
  required: ['keys', 'initialisedAt'],
  additionalProperties: false,
  examples: [
    {
      keys: [
        {
          keyId: 'kA5dxbEfN-zvBjK9n4J3o6UmcsWxSTjb4OrewTY5BvU',
          kid: 'registrar#kA5dxbEfN-zvBjK9n4J3o6UmcsWxSTjb4OrewTY5BvU',
          alg: 'ES256',
          publicJwk: {
            kty: 'EC',
            crv: 'P-256',
            x: 'cSpG6QD0eJYeh2rYQ12pkvt7mbqVthfOqNybv-dcl8A',
            y: 'DKEZh9tZeBUdGJYCbcBRqt_YoIgzQ9QNG9JM8D6rQQo',
          },
        },
        {
          keyId: 'X0qYxOXcJrJmC7EAx1JVWld2KYLhH0yqiOFnvz89p9k',
          kid: 'registrar#X0qYxOXcJrJmC7EAx1JVWld2KYLhH0yqiOFnvz89p9k',
          alg: 'EdDSA',
          publicJwk: { kty: 'OKP', crv: 'Ed25519', x: '4CrK74gbq6wktmeslGyvVFUZK6J4JPjxSmFGAkbxCx0' },
        },
      ],
      initialisedAt: '2026-01-01T00:00:00.000Z',
    },
  ],
} as const satisfies Schema;
export type RegistrarRecord = Infer<typeof registrarRecordSchema>;
