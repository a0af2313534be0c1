/** The issuer's statements about its credentials: anchor, and the status changes revoke, suspend, reinstate. */
import { schemaId } from '../../ids';
import type { Infer, Schema } from '../../infer';
import {
  REINSTATE_REASONS,
  REVOKE_REASONS,
  SUSPEND_REASONS,
  credentialId,
  credentialType,
  holderRef,
  issuerId,
  sha256Hex,
  utcDateTime,
  issuerKid,
} from '../common';
import { statusEntry } from '../status-entry';
import { envelope } from './fragments';

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
        statusEntry,
        replaces: {
          ...credentialId,
          description:
            'The credential this one renews: anchored by the same issuer, of the same type, for the same holder ' +
            '(the same holderRef) and not renewed before. The ledger links the two both ways.',
        },
        supersede: {
          const: true,
          description:
            'With replaces: the replaced credential is revoked as superseded in the same transaction (a re-issue ' +
            'to a new device key, the old one lost).',
        },
      },
      required: ['id', 'type', 'kid', 'digest', 'holderRef', 'validFrom'],
      if: { type: 'object', properties: { supersede: { const: true } }, required: ['supersede'] },
      then: { type: 'object', properties: { replaces: { type: 'string' } }, required: ['replaces'] },
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
        statusEntry: { list: 'q3Vb7TnWc1aE0sLk', idx: 93_417 },
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
