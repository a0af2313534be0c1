/**
 * The registrar's statements: issuers and their keys (registerIssuer, updateIssuer, addKey, retireKey,
 * revokeKey), and the registrar's own keys (rotateRegistrar).
 */
import { schemaId } from '../../ids';
import type { Infer, Schema } from '../../infer';
import {
  allowedTypes,
  issuerId,
  issuerKind,
  keyId,
  orgName,
  utcDateTime,
  allowedTypesNow,
  issuerStatus,
} from '../common';
import { envelope, newKey } from './fragments';

export const registerIssuerStatementSchema = {
  $id: schemaId('statement-register-issuer'),
  title: 'Statement: register an issuer (registrar)',
  type: 'object',
  properties: {
    kind: { const: 'registerIssuer' },
    ...envelope,
    iss: { const: 'registrar' },
    issuer: {
      type: 'object',
      properties: {
        id: issuerId,
        name: orgName,
        kind: issuerKind,
        uscc: {
          type: 'string',
          cnUscc: true,
          description:
            'Unified social credit code of the organisation: the credentials it issues name it (the health ' +
            'authority, the certifying body, the employer or the platform), and verifiers compare the two.',
        },
        allowedTypes: {
          ...allowedTypes,
          description: 'A subset of the types its kind may ever issue (TYPES_BY_ISSUER_KIND).',
        },
      },
      required: ['id', 'name', 'kind', 'uscc', 'allowedTypes'],
      additionalProperties: false,
    },
    key: newKey,
  },
  required: ['kind', 'jti', 'iat', 'iss', 'issuer', 'key'],
  additionalProperties: false,
  examples: [
    {
      kind: 'registerIssuer',
      jti: 'f0539750-e074-4c46-af27-7b6fcf242d4c',
      iat: 1772326800,
      iss: 'registrar',
      issuer: {
        id: 'urn:anxin:issuer:chengdu-wuhou-cdc',
        name: '成都市武侯区疾病预防控制中心',
        kind: 'health_authority',
        uscc: '12510107MB1H27435B',
        allowedTypes: ['HealthCertificate'],
      },
      key: {
        keyId: '3OTTnnDO_jSz8YV1NkgBEFQ38M5fbD6ONj2ArM35uOM',
        alg: 'ES256',
        publicJwk: {
          kty: 'EC',
          crv: 'P-256',
          x: 'vymgRKwMJH-3ZsVIU5iT5I5p5syYOjydtB42wXKyQ5w',
          y: 'VeLI-HD4JBcdamwDTynFoCopaeNB3Poh072JA6yxoYE',
        },
        notBefore: '2026-03-01T00:00:00Z',
      },
    },
    {
      kind: 'registerIssuer',
      jti: '0b6f3c1e-5a2d-4e8b-9c7f-1d2e3f4a5b6c',
      iat: 1767600000,
      iss: 'registrar',
      issuer: {
        id: 'urn:anxin:issuer:sichuan-kuaigong',
        name: '四川快工灵活用工科技有限公司',
        kind: 'platform',
        uscc: '91510100MA62T8RW59',
        allowedTypes: ['LaborContract'],
      },
      key: {
        keyId: 'wdQiFzQL9d_J6jj7OsrED6IC-NnX-q5NGpPRBvDKGFk',
        alg: 'EdDSA',
        publicJwk: { kty: 'OKP', crv: 'Ed25519', x: 'NL3DvLn8Vnth7MEj3f7Iz1Codw9aA2E1vpnZlAwQKw0' },
      },
    },
  ],
} as const satisfies Schema;
export type RegisterIssuerStatement = Infer<typeof registerIssuerStatementSchema>;

export const updateIssuerStatementSchema = {
  $id: schemaId('statement-update-issuer'),
  title: 'Statement: change an issuer’s name, allowed types or status (registrar)',
  description:
    'Suspending stops new issuance; what the issuer anchored before stays valid. Revoking names the instant ' +
    '(revokedSince, not after the transaction time) from which what it anchored fails; a revoked issuer stays ' +
    'revoked, and a later revocation may only move that instant earlier. Narrowing allowedTypes does not ' +
    'affect what was anchored before.',
  type: 'object',
  properties: {
    kind: { const: 'updateIssuer' },
    ...envelope,
    iss: { const: 'registrar' },
    issuerId,
    changes: {
      type: 'object',
      properties: {
        name: orgName,
        allowedTypes: {
          ...allowedTypesNow,
          description:
            'A subset of the types the issuer’s kind may ever issue (TYPES_BY_ISSUER_KIND); empty withdraws them all.',
        },
        status: { ...issuerStatus, description: 'A revoked issuer stays revoked.' },
        revokedSince: {
          ...utcDateTime,
          description:
            'With status revoked, and only then: what the issuer anchored from this instant on fails verification.',
        },
      },
      minProperties: 1,
      additionalProperties: false,
      if: { properties: { status: { const: 'revoked' } }, required: ['status'] },
      then: { properties: { revokedSince: { type: 'string' } }, required: ['revokedSince'] },
      else: { properties: { revokedSince: false } },
    },
  },
  required: ['kind', 'jti', 'iat', 'iss', 'issuerId', 'changes'],
  additionalProperties: false,
  examples: [
    {
      kind: 'updateIssuer',
      jti: '6a0c9e2b-3f4d-4b1a-8e5c-7d9f0a1b2c3d',
      iat: 1775001600,
      iss: 'registrar',
      issuerId: 'urn:anxin:issuer:chengdu-wuhou-cdc',
      changes: { allowedTypes: [] },
    },
    {
      kind: 'updateIssuer',
      jti: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
      iat: 1775001600,
      iss: 'registrar',
      issuerId: 'urn:anxin:issuer:sichuan-kuaigong',
      changes: { status: 'suspended' },
    },
    {
      kind: 'updateIssuer',
      jti: '2f4a6c8e-0b1d-4e3f-9a5b-7c9d1e3f5a7b',
      iat: 1777593600,
      iss: 'registrar',
      issuerId: 'urn:anxin:issuer:sichuan-kuaigong',
      changes: { status: 'revoked', revokedSince: '2026-04-15T00:00:00Z' },
    },
  ],
} as const satisfies Schema;
export type UpdateIssuerStatement = Infer<typeof updateIssuerStatementSchema>;

export const addKeyStatementSchema = {
  $id: schemaId('statement-add-key'),
  title: 'Statement: add a signing key to an issuer (registrar)',
  type: 'object',
  properties: {
    kind: { const: 'addKey' },
    ...envelope,
    iss: { const: 'registrar' },
    issuerId,
    key: newKey,
  },
  required: ['kind', 'jti', 'iat', 'iss', 'issuerId', 'key'],
  additionalProperties: false,
  examples: [
    {
      kind: 'addKey',
      jti: '2c4e6a8b-0d1f-4a3b-9c5d-7e9f1a3b5c7d',
      iat: 1788220800,
      iss: 'registrar',
      issuerId: 'urn:anxin:issuer:chengdu-wuhou-cdc',
      key: {
        keyId: 'ibh9QkV0XYiBNVe9EX9iFRZUshLoNA44kMpTijcEZdA',
        alg: 'ES256',
        publicJwk: {
          kty: 'EC',
          crv: 'P-256',
          x: 'Vuk5-rurG9i-4p3w7IpWVoIyzjGRhNiWgz8ZV1KzDME',
          y: 'f-tHM1StMM_SXW2aIe1XYs-YeiBYeQq6w1BAZK7i1LM',
        },
        notBefore: '2026-09-01T00:00:00Z',
      },
    },
  ],
} as const satisfies Schema;
export type AddKeyStatement = Infer<typeof addKeyStatementSchema>;

export const retireKeyStatementSchema = {
  $id: schemaId('statement-retire-key'),
  title: 'Statement: retire an issuer key (registrar)',
  description: 'The key signs nothing from the transaction time on; what it signed before stays valid.',
  type: 'object',
  properties: {
    kind: { const: 'retireKey' },
    ...envelope,
    iss: { const: 'registrar' },
    issuerId,
    keyId,
  },
  required: ['kind', 'jti', 'iat', 'iss', 'issuerId', 'keyId'],
  additionalProperties: false,
  examples: [
    {
      kind: 'retireKey',
      jti: '4e6f8a0b-2c3d-4e5f-8a9b-0c1d2e3f4a5b',
      iat: 1788220800,
      iss: 'registrar',
      issuerId: 'urn:anxin:issuer:chengdu-wuhou-cdc',
      keyId: '3OTTnnDO_jSz8YV1NkgBEFQ38M5fbD6ONj2ArM35uOM',
    },
  ],
} as const satisfies Schema;
export type RetireKeyStatement = Infer<typeof retireKeyStatementSchema>;

export const revokeKeyStatementSchema = {
  $id: schemaId('statement-revoke-key'),
  title: 'Statement: declare an issuer key compromised since an instant (registrar)',
  description: 'Everything the key signed (anchored) from compromisedSince on fails verification.',
  type: 'object',
  properties: {
    kind: { const: 'revokeKey' },
    ...envelope,
    iss: { const: 'registrar' },
    issuerId,
    keyId,
    compromisedSince: utcDateTime,
  },
  required: ['kind', 'jti', 'iat', 'iss', 'issuerId', 'keyId', 'compromisedSince'],
  additionalProperties: false,
  examples: [
    {
      kind: 'revokeKey',
      jti: '7b9d1f3a-5c7e-4a9b-8d1f-3a5c7e9b1d3f',
      iat: 1790899200,
      iss: 'registrar',
      issuerId: 'urn:anxin:issuer:chengdu-wuhou-cdc',
      keyId: '3OTTnnDO_jSz8YV1NkgBEFQ38M5fbD6ONj2ArM35uOM',
      compromisedSince: '2026-03-15T00:00:00Z',
    },
  ],
} as const satisfies Schema;
export type RevokeKeyStatement = Infer<typeof revokeKeyStatementSchema>;

export const rotateRegistrarStatementSchema = {
  $id: schemaId('statement-rotate-registrar'),
  title: 'Statement: add a registrar key, retire one, or both at once (registrar)',
  description:
    'Signed by a registrar key valid at the transaction time. The added key may sign from its notBefore (the ' +
    'transaction time when absent, never earlier); the retired key signs nothing from the transaction time on. ' +
    'What a key signed while it was valid stays valid: issuers it registered are not touched. At least one ' +
    'registrar key must remain able to sign.',
  type: 'object',
  properties: {
    kind: { const: 'rotateRegistrar' },
    ...envelope,
    iss: { const: 'registrar' },
    add: newKey,
    retire: { ...keyId, description: 'The registrar key to retire (its key id).' },
  },
  required: ['kind', 'jti', 'iat', 'iss'],
  // add, retire or both: beyond the four required members only those two are allowed.
  minProperties: 5,
  additionalProperties: false,
  examples: [
    {
      kind: 'rotateRegistrar',
      jti: '5d7f9b1c-3e5a-4c7d-9f1b-3d5f7a9c1e3b',
      iat: 1788220800,
      iss: 'registrar',
      add: {
        keyId: 'X0qYxOXcJrJmC7EAx1JVWld2KYLhH0yqiOFnvz89p9k',
        alg: 'EdDSA',
        publicJwk: { kty: 'OKP', crv: 'Ed25519', x: '4CrK74gbq6wktmeslGyvVFUZK6J4JPjxSmFGAkbxCx0' },
      },
      retire: 'kA5dxbEfN-zvBjK9n4J3o6UmcsWxSTjb4OrewTY5BvU',
    },
  ],
} as const satisfies Schema;
export type RotateRegistrarStatement = Infer<typeof rotateRegistrarStatementSchema>;
