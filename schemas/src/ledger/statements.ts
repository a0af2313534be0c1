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
        uscc: { type: 'string', cnUscc: true },
        allowedTypes,
      },
      required: ['id', 'name', 'kind', 'allowedTypes'],
      additionalProperties: false,
    },
    key: newKey,
  },
  required: ['kind', 'jti', 'iat', 'iss', 'issuer', 'key'],
  additionalProperties: false,
} as const satisfies Schema;
export type RegisterIssuerStatement = Infer<typeof registerIssuerStatementSchema>;

export const updateIssuerStatementSchema = {
  $id: schemaId('statement-update-issuer'),
  title: 'Statement: change an issuer’s name, allowed types or status (registrar)',
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
        allowedTypes,
        status: { ...issuerStatus, description: 'A revoked issuer stays revoked.' },
      },
      minProperties: 1,
      additionalProperties: false,
    },
  },
  required: ['kind', 'jti', 'iat', 'iss', 'issuerId', 'changes'],
  additionalProperties: false,
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
} as const satisfies Schema;
export type AnchorStatement = Infer<typeof anchorStatementSchema>;

function statusChange<K extends 'revoke' | 'suspend' | 'reinstate', R extends readonly string[]>(
  kind: K,
  reasons: R,
  name: string,
  title: string,
) {
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
  } as const satisfies Schema;
}

export const revokeStatementSchema = statusChange('revoke', REVOKE_REASONS, 'statement-revoke', 'Statement: revoke a credential, for good (issuer)');
export type RevokeStatement = Infer<typeof revokeStatementSchema>;
export const suspendStatementSchema = statusChange('suspend', SUSPEND_REASONS, 'statement-suspend', 'Statement: suspend an active credential (issuer)');
export type SuspendStatement = Infer<typeof suspendStatementSchema>;
export const reinstateStatementSchema = statusChange('reinstate', REINSTATE_REASONS, 'statement-reinstate', 'Statement: reinstate a suspended credential (issuer)');
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
