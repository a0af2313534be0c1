/**
 * Credential subjects: what each credential type says, and who it is about. Everything here
 * goes inside signed credentials and the off-chain store; nothing here goes on the ledger.
 */
import type { CredentialType } from '../ledger/common';
import type { SchemaIssue } from '../validate';
import {
  checkHealthValidity,
  healthCertificateSubjectSchema,
  type HealthCertificateSubject,
} from './health-certificate';
import { holderIdentitySchema } from './holder';
import { checkLaborContractDates, laborContractSubjectSchema, type LaborContractSubject } from './labor-contract';
import { checkSkillDates, skillCertificateSubjectSchema, type SkillCertificateSubject } from './skill-certificate';

export * from './holder';
export * from './labor-contract';
export * from './health-certificate';
export * from './skill-certificate';

/** Every credential-subject schema (and the holder identity), for registration with the shared ajv instance. */
export const SUBJECT_SCHEMAS = [
  holderIdentitySchema,
  laborContractSubjectSchema,
  healthCertificateSubjectSchema,
  skillCertificateSubjectSchema,
] as const;

/** The subject type of each credential type. */
export type CredentialSubjectByType = {
  LaborContract: LaborContractSubject;
  HealthCertificate: HealthCertificateSubject;
  SkillCertificate: SkillCertificateSubject;
};

/** The subject schema of each credential type: its `$id` goes in the credential's `credentialSchema`. */
export const SUBJECT_SCHEMA_BY_TYPE = {
  LaborContract: laborContractSubjectSchema,
  HealthCertificate: healthCertificateSubjectSchema,
  SkillCertificate: skillCertificateSubjectSchema,
} as const satisfies Record<CredentialType, { $id: string }>;

/**
 * The date rules of each credential type that JSON Schema cannot express. Run after the
 * schema validated; an empty array means the dates are consistent.
 */
export const SUBJECT_DATE_CHECKS: {
  readonly [T in CredentialType]: (subject: CredentialSubjectByType[T]) => SchemaIssue[];
} = {
  LaborContract: checkLaborContractDates,
  HealthCertificate: checkHealthValidity,
  SkillCertificate: checkSkillDates,
};
