/**
 * Credential subjects: what each credential type says, and who it is about. Everything here
 * goes inside signed credentials and the off-chain store; nothing here goes on the ledger.
 */
import type { CredentialType, IssuerKind } from '../ledger/common';
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

/**
 * Where a subject names the organisation that issues it, by type and by the issuer's kind:
 * the subject member ({ name, uscc }) whose `uscc` must be the issuer's registered one. A
 * labor contract names an employer issuing it as `employer`, and a platform issuing it on
 * the employer's behalf as `platform`.
 */
export const SUBJECT_ISSUER_MEMBER: {
  readonly [T in CredentialType]: Readonly<Partial<Record<IssuerKind, string>>>;
} = {
  HealthCertificate: { health_authority: 'issuingAuthority' },
  SkillCertificate: { training_body: 'certifyingBody' },
  LaborContract: { employer: 'employer', platform: 'platform' },
};

/**
 * Whom an issuer of this kind issues a subject on behalf of: the member naming that
 * organisation. A platform issues a labor contract on behalf of the employer it names.
 */
export const ON_BEHALF_OF_MEMBER: {
  readonly [T in CredentialType]: Readonly<Partial<Record<IssuerKind, string>>>;
} = {
  HealthCertificate: {},
  SkillCertificate: {},
  LaborContract: { platform: 'employer' },
};
