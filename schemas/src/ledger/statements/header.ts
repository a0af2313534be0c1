/** The statement JWS's protected header, and the arguments of the chaincode's one-time initialisation. */
import { schemaId } from '../../ids';
import type { Infer, Schema } from '../../infer';
import { algFitsKey, keyId, kid, publicJwk, signingAlg } from '../common';
import { STATEMENT_TYP } from './kinds';

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
