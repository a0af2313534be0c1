/**
 * The issued credentials themselves: W3C Verifiable Credentials Data Model 2.0
 * documents, one schema per type. A credential's `credentialSchema.id` names its schema,
 * which checks the whole document: envelope, holder, and the type's subject.
 *
 *   credentialSubject: { holder: { name, idNumber, salt, ref }, <member>: <subject> }
 *
 * where <member> is laborContract, healthCertificate or skillCertificate, and `ref` is
 * the holderRef anchored on the ledger: base64url(sha256(salt || idNumber)).
 */
import { schemaId } from '../ids';
import type { Schema } from '../infer';
import { credentialId, holderRef, orgName, utcDateTime, type CredentialType } from '../ledger/common';
import { idNumber, personName } from '../subjects/common';
import { SUBJECT_SCHEMA_BY_TYPE } from '../subjects/index';
import { credentialIssuerId } from './public-ids';

export const VC_CONTEXT_V2 = 'https://www.w3.org/ns/credentials/v2';

/** The JSON Schema dialect of every credential schema: VC JSON Schema requires a credential schema to name it. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** The member of credentialSubject that holds each type's subject. */
export const SUBJECT_MEMBER = {
  LaborContract: 'laborContract',
  HealthCertificate: 'healthCertificate',
  SkillCertificate: 'skillCertificate',
} as const satisfies Record<CredentialType, string>;

export const CREDENTIAL_SCHEMA_NAME = {
  LaborContract: 'labor-contract-credential',
  HealthCertificate: 'health-certificate-credential',
  SkillCertificate: 'skill-certificate-credential',
} as const satisfies Record<CredentialType, string>;

export const credentialHolderSchema = {
  $schema: JSON_SCHEMA_DIALECT,
  $id: schemaId('credential-holder'),
  title: 'Holder, inside a credential',
  description:
    'The holder identity plus the salt of its ledger commitment. PERSONAL DATA: never on the ledger; ' +
    'in an SD-JWT each member is disclosed only when the holder chooses.',
  type: 'object',
  properties: {
    name: personName,
    idNumber,
    salt: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$', description: '128 random bits, base64url.' },
    ref: { ...holderRef, description: 'base64url(sha256(salt || idNumber)): the anchor’s holderRef.' },
  },
  required: ['name', 'idNumber', 'salt', 'ref'],
  additionalProperties: false,
} as const satisfies Schema;

/** Anxin's own status of a credential: its anchor, at the gateway's status endpoint. */
const anchorStatusRef = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uri' },
    type: { const: 'AnxinLedgerAnchor' },
  },
  required: ['id', 'type'],
  additionalProperties: false,
} as const;

/** A W3C Bitstring Status List entry (BitstringStatusListEntry), for revocation or suspension. */
const bitstringStatusListEntry = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uri' },
    type: { const: 'BitstringStatusListEntry' },
    statusPurpose: { enum: ['revocation', 'suspension'] },
    statusListIndex: { type: 'string', pattern: '^(0|[1-9][0-9]{0,9})$' },
    statusListCredential: { type: 'string', format: 'uri' },
  },
  required: ['type', 'statusPurpose', 'statusListIndex', 'statusListCredential'],
  additionalProperties: false,
} as const;

function credentialSchema<T extends CredentialType>(type: T) {
  const name = CREDENTIAL_SCHEMA_NAME[type];
  const member = SUBJECT_MEMBER[type];
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: schemaId(name),
    title: `${type} credential (W3C VC 2.0)`,
    type: 'object',
    properties: {
      '@context': { type: 'array', prefixItems: [{ const: VC_CONTEXT_V2 }], items: { type: 'string' }, minItems: 1 },
      id: credentialId,
      type: {
        type: 'array',
        prefixItems: [{ const: 'VerifiableCredential' }, { const: type }],
        items: false,
        minItems: 2,
      },
      issuer: {
        type: 'object',
        properties: { id: credentialIssuerId, name: orgName },
        required: ['id'],
        additionalProperties: false,
      },
      validFrom: utcDateTime,
      validUntil: utcDateTime,
      credentialSchema: {
        type: 'object',
        properties: { id: { const: schemaId(name) }, type: { const: 'JsonSchema' } },
        required: ['id', 'type'],
        additionalProperties: false,
      },
      credentialStatus: {
        // Before status lists: the anchor alone. Since: the anchor, then one Bitstring Status
        // List entry per purpose (revocation, suspension).
        if: { type: 'array' },
        then: { type: 'array', prefixItems: [anchorStatusRef], items: bitstringStatusListEntry, maxItems: 3 },
        else: anchorStatusRef,
      },
      credentialSubject: {
        type: 'object',
        properties: {
          holder: { $ref: credentialHolderSchema.$id },
          [member]: { $ref: SUBJECT_SCHEMA_BY_TYPE[type].$id },
        },
        required: ['holder', member],
        additionalProperties: false,
      },
    },
    required: ['@context', 'id', 'type', 'issuer', 'validFrom', 'credentialSchema', 'credentialSubject'],
    additionalProperties: false,
  } as const;
}

export const laborContractCredentialSchema = credentialSchema('LaborContract');
export const healthCertificateCredentialSchema = credentialSchema('HealthCertificate');
export const skillCertificateCredentialSchema = credentialSchema('SkillCertificate');

export const CREDENTIAL_SCHEMA_BY_TYPE = {
  LaborContract: laborContractCredentialSchema,
  HealthCertificate: healthCertificateCredentialSchema,
  SkillCertificate: skillCertificateCredentialSchema,
} as const;

export const CREDENTIAL_SCHEMAS: readonly { $id: string }[] = [
  credentialHolderSchema,
  laborContractCredentialSchema,
  healthCertificateCredentialSchema,
  skillCertificateCredentialSchema,
];
