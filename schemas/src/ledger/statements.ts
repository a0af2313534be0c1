/**
 * Statements: every change to the ledger is one of these, as the payload of a compact
 * JWS (`typ: anxin-statement+jwt`) signed by the key that has the right to make it —
 * the issuer's key for its credentials, a registrar key for issuers and their keys. The
 * chaincode verifies each against keys already on the ledger and applies it once.
 */
import { schemaId } from '../ids';
import type { Infer, Schema } from '../infer';
import {
  algFitsKey,
  allowedTypes,
  allowedTypesNow,
  issuerKid,
  issuerStatus,
  REINSTATE_REASONS,
  REVOKE_REASONS,
  SUSPEND_REASONS,
  credentialId,
  credentialType,
  holderRef,
  issuerId,
  issuerKind,
  keyId,
  kid,
  orgName,
  publicJwk,
  sha256Hex,
  signingAlg,
  statementId,
  utcDateTime,
} from './common';

export const STATEMENT_TYP = 'anxin-statement+jwt';

export const STATEMENT_KINDS = [
  'registerIssuer',
  'updateIssuer',
  'addKey',
  'retireKey',
  'revokeKey',
  'anchor',
  'revoke',
  'suspend',
  'reinstate',
] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

/** Statement kinds only a registrar key may sign. */
export const REGISTRAR_KINDS = ['registerIssuer', 'updateIssuer', 'addKey', 'retireKey', 'revokeKey'] as const;
/** Statement kinds only the credential's issuer may sign. */
export const ISSUER_KINDS_OF_STATEMENT = ['anchor', 'revoke', 'suspend', 'reinstate'] as const;

const envelope = {
  jti: { ...statementId, description: 'Unique statement id: a statement is applied at most once.' },
  iat: { type: 'integer', minimum: 0, maximum: 253402300799, description: 'Seconds since the epoch when signed.' },
} as const;

const newKey = {
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

export const anchorStatementSchema = {
  $id: schemaId('statement-anchor'),
  title: 'Statement: anchor a credential (issuer)',
  type: 'object',
  properties: {
    kind: { const: 'anchor' },
    ...envelope,
    iss: issuerId,
    anchor: {
      type: 'object',
      properties: {
        id: credentialId,
        type: credentialType,
        kid: { ...issuerKid, description: 'The issuer key that signed the credential itself.' },
        digest: sha256Hex,
        holderRef,
        validFrom: utcDateTime,
        validUntil: utcDateTime,
      },
      required: ['id', 'type', 'kid', 'digest', 'holderRef', 'validFrom'],
      additionalProperties: false,
    },
  },
  required: ['kind', 'jti', 'iat', 'iss', 'anchor'],
  additionalProperties: false,
  examples: [
    {
      kind: 'anchor',
      jti: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
      iat: 1773969123,
      iss: 'urn:anxin:issuer:chengdu-wuhou-cdc',
      anchor: {
        id: 'urn:uuid:d2093821-f72f-4392-a2db-5aa2d0765240',
        type: 'HealthCertificate',
        kid: 'urn:anxin:issuer:chengdu-wuhou-cdc#3OTTnnDO_jSz8YV1NkgBEFQ38M5fbD6ONj2ArM35uOM',
        digest: 'a78a4b4235cffcdd16eb3b82f171602f1dff15d501636db8373ad72d8d07a09b',
        holderRef: 'BZXlV9CDPIZLglM94E3vNISoajX5mO7hQwxrill_2LU',
        validFrom: '2026-03-20T00:00:00Z',
        validUntil: '2027-03-19T15:59:59Z',
      },
    },
    {
      kind: 'anchor',
      jti: 'e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a8b9',
      iat: 1774303200,
      iss: 'urn:anxin:issuer:sichuan-kuaigong',
      anchor: {
        id: 'urn:uuid:8f14e45f-ceea-467f-a7c1-1b2c3d4e5f60',
        type: 'LaborContract',
        kid: 'urn:anxin:issuer:sichuan-kuaigong#wdQiFzQL9d_J6jj7OsrED6IC-NnX-q5NGpPRBvDKGFk',
        digest: '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8',
        holderRef: 'Doz8EGyN-MDl8nWSi1DHepqRmIuoxv2glq2BPcyGrqs',
        validFrom: '2026-03-24T00:00:00Z',
      },
    },
  ],
} as const satisfies Schema;
export type AnchorStatement = Infer<typeof anchorStatementSchema>;

function statusChange<
  K extends 'revoke' | 'suspend' | 'reinstate',
  R extends readonly string[],
  E extends readonly object[],
>(kind: K, reasons: R, name: string, title: string, examples: E) {
  return {
    $id: schemaId(name),
    title,
    type: 'object',
    properties: {
      kind: { const: kind },
      ...envelope,
      iss: issuerId,
      credentialId,
      reason: { type: 'string', enum: reasons },
    },
    required: ['kind', 'jti', 'iat', 'iss', 'credentialId', 'reason'],
    additionalProperties: false,
    examples,
  } as const satisfies Schema;
}

export const revokeStatementSchema = statusChange(
  'revoke',
  REVOKE_REASONS,
  'statement-revoke',
  'Statement: revoke a credential, for good (issuer)',
  [
    {
      kind: 'revoke',
      jti: '3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d',
      iat: 1785542400,
      iss: 'urn:anxin:issuer:chengdu-wuhou-cdc',
      credentialId: 'urn:uuid:d2093821-f72f-4392-a2db-5aa2d0765240',
      reason: 're_examination_failed',
    },
    {
      kind: 'revoke',
      jti: '5c6d7e8f-9a0b-4c2d-8e4f-6a7b8c9d0e1f',
      iat: 1777593600,
      iss: 'urn:anxin:issuer:sichuan-kuaigong',
      credentialId: 'urn:uuid:8f14e45f-ceea-467f-a7c1-1b2c3d4e5f60',
      reason: 'contract_ended',
    },
  ] as const,
);
export type RevokeStatement = Infer<typeof revokeStatementSchema>;
export const suspendStatementSchema = statusChange(
  'suspend',
  SUSPEND_REASONS,
  'statement-suspend',
  'Statement: suspend an active credential (issuer)',
  [
    {
      kind: 'suspend',
      jti: '1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b',
      iat: 1785110400,
      iss: 'urn:anxin:issuer:chengdu-wuhou-cdc',
      credentialId: 'urn:uuid:d2093821-f72f-4392-a2db-5aa2d0765240',
      reason: 're_examination_pending',
    },
  ] as const,
);
export type SuspendStatement = Infer<typeof suspendStatementSchema>;
export const reinstateStatementSchema = statusChange(
  'reinstate',
  REINSTATE_REASONS,
  'statement-reinstate',
  'Statement: reinstate a suspended credential (issuer)',
  [
    {
      kind: 'reinstate',
      jti: '8e9f0a1b-2c3d-4e5f-9a6b-7c8d9e0f1a2b',
      iat: 1785369600,
      iss: 'urn:anxin:issuer:chengdu-wuhou-cdc',
      credentialId: 'urn:uuid:d2093821-f72f-4392-a2db-5aa2d0765240',
      reason: 're_examination_passed',
    },
  ] as const,
);
export type ReinstateStatement = Infer<typeof reinstateStatementSchema>;

export type StatusStatement = RevokeStatement | SuspendStatement | ReinstateStatement;
export type Statement =
  | RegisterIssuerStatement
  | UpdateIssuerStatement
  | AddKeyStatement
  | RetireKeyStatement
  | RevokeKeyStatement
  | AnchorStatement
  | StatusStatement;

/** The schema of each statement kind, by kind. */
export const STATEMENT_SCHEMAS = {
  registerIssuer: registerIssuerStatementSchema,
  updateIssuer: updateIssuerStatementSchema,
  addKey: addKeyStatementSchema,
  retireKey: retireKeyStatementSchema,
  revokeKey: revokeKeyStatementSchema,
  anchor: anchorStatementSchema,
  revoke: revokeStatementSchema,
  suspend: suspendStatementSchema,
  reinstate: reinstateStatementSchema,
} as const;

/** The protected header every statement JWS carries. */
export const statementHeaderSchema = {
  $id: schemaId('statement-header'),
  title: 'Statement JWS protected header',
  type: 'object',
  properties: {
    alg: signingAlg,
    kid,
    typ: { const: STATEMENT_TYP },
  },
  required: ['alg', 'kid', 'typ'],
  additionalProperties: false,
  examples: [
    {
      alg: 'ES256',
      kid: 'urn:anxin:issuer:chengdu-wuhou-cdc#3OTTnnDO_jSz8YV1NkgBEFQ38M5fbD6ONj2ArM35uOM',
      typ: 'anxin-statement+jwt',
    },
    {
      alg: 'EdDSA',
      kid: 'urn:anxin:issuer:sichuan-kuaigong#wdQiFzQL9d_J6jj7OsrED6IC-NnX-q5NGpPRBvDKGFk',
      typ: 'anxin-statement+jwt',
    },
    { alg: 'ES256', kid: 'registrar#kA5dxbEfN-zvBjK9n4J3o6UmcsWxSTjb4OrewTY5BvU', typ: 'anxin-statement+jwt' },
  ],
} as const satisfies Schema;
export type StatementHeader = Infer<typeof statementHeaderSchema>;

/** Arguments of the chaincode's one-time initialisation: the registrar keys. */
export const initArgsSchema = {
  $id: schemaId('ledger-init'),
  title: 'Ledger initialisation: registrar keys',
  type: 'object',
  properties: {
    registrarKeys: {
      type: 'array',
      minItems: 1,
      maxItems: 16,
      items: {
        type: 'object',
        properties: { keyId, alg: signingAlg, publicJwk },
        required: ['keyId', 'alg', 'publicJwk'],
        allOf: algFitsKey,
        additionalProperties: false,
      },
    },
  },
  required: ['registrarKeys'],
  additionalProperties: false,
  examples: [
    {
      registrarKeys: [
        {
          keyId: 'kA5dxbEfN-zvBjK9n4J3o6UmcsWxSTjb4OrewTY5BvU',
          alg: 'ES256',
          publicJwk: {
            kty: 'EC',
            crv: 'P-256',
            x: 'cSpG6QD0eJYeh2rYQ12pkvt7mbqVthfOqNybv-dcl8A',
            y: 'DKEZh9tZeBUdGJYCbcBRqt_YoIgzQ9QNG9JM8D6rQQo',
          },
        },
      ],
    },
  ],
} as const satisfies Schema;
export type InitArgs = Infer<typeof initArgsSchema>;

/** The payload type of each statement kind. */
export interface StatementByKind {
  registerIssuer: RegisterIssuerStatement;
  updateIssuer: UpdateIssuerStatement;
  addKey: AddKeyStatement;
  retireKey: RetireKeyStatement;
  revokeKey: RevokeKeyStatement;
  anchor: AnchorStatement;
  revoke: RevokeStatement;
  suspend: SuspendStatement;
  reinstate: ReinstateStatement;
}
