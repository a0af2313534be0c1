/**
 * Type-level checks: the TypeScript types inferred from the subject schemas are real types
 * (not `any`, not `unknown`) and say what the schemas say. Most of this file is checked by
 * the compiler; a build that succeeds is the test. The `it`s only keep mocha informed.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  healthCertificateSubjectSchema,
  holderIdentitySchema,
  laborContractSubjectSchema,
  skillCertificateSubjectSchema,
  SUBJECT_SCHEMA_BY_TYPE,
  validator,
  type CredentialSubjectByType,
  type HealthCertificateSubject,
  type HolderIdentity,
  type LaborContractSubject,
  type SkillCertificateSubject,
} from '@anxin/schemas';

type IsAny<T> = 0 extends 1 & T ? true : false;
type IsUnknown<T> = IsAny<T> extends true ? false : unknown extends T ? true : false;
type IsNever<T> = [T] extends [never] ? true : false;
/** Neither any, nor unknown, nor never. */
type IsReal<T> =
  IsAny<T> extends true ? false : IsUnknown<T> extends true ? false : IsNever<T> extends true ? false : true;
type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
type IsOptional<T, K extends keyof T> = object extends Pick<T, K> ? true : false;

export type TypeChecks = [
  Assert<IsReal<HolderIdentity>>,
  Assert<IsReal<LaborContractSubject>>,
  Assert<IsReal<HealthCertificateSubject>>,
  Assert<IsReal<SkillCertificateSubject>>,
  // exactly the members the schemas declare
  Assert<
    Equals<
      keyof LaborContractSubject,
      | 'employer'
      | 'platform'
      | 'worker'
      | 'contractNumber'
      | 'contractType'
      | 'jobTitle'
      | 'occupationCode'
      | 'workLocation'
      | 'term'
      | 'pay'
      | 'workingHours'
      | 'insurance'
      | 'document'
      | 'signing'
    >
  >,
  Assert<
    Equals<
      keyof HealthCertificateSubject,
      'certificateNumber' | 'issuingAuthority' | 'categories' | 'examDate' | 'validity' | 'result'
    >
  >,
  Assert<
    Equals<
      keyof SkillCertificateSubject,
      'certifyingBody' | 'occupation' | 'level' | 'certificateNumber' | 'issueDate' | 'expiryDate'
    >
  >,
  // the holder
  Assert<Equals<HolderIdentity, { name: string; idNumber: string }>>,
  // labor contract
  Assert<
    Equals<LaborContractSubject['contractType'], 'fixed_term' | 'open_ended' | 'task_based' | 'part_time' | 'daily_gig'>
  >,
  Assert<Equals<LaborContractSubject['employer'], { name: string; uscc: string }>>,
  Assert<IsOptional<LaborContractSubject, 'platform'>>,
  Assert<IsOptional<LaborContractSubject, 'occupationCode'>>,
  Assert<Equals<IsOptional<LaborContractSubject, 'employer'>, false>>,
  Assert<Equals<LaborContractSubject['pay']['amountFen'], number>>,
  Assert<Equals<LaborContractSubject['pay']['currency'], 'CNY'>>,
  Assert<
    Equals<LaborContractSubject['pay']['cycle'], 'daily' | 'weekly' | 'semi_monthly' | 'monthly' | 'on_completion'>
  >,
  Assert<Equals<LaborContractSubject['term']['openEnded'], boolean>>,
  Assert<IsOptional<LaborContractSubject['term'], 'endDate'>>,
  Assert<Equals<LaborContractSubject['document']['mediaType'], 'application/pdf'>>,
  Assert<Equals<LaborContractSubject['insurance'], { social: boolean; workInjury: boolean; commercial: boolean }>>,
  // health certificate
  Assert<Equals<HealthCertificateSubject['result'], 'fit'>>,
  Assert<
    Equals<
      HealthCertificateSubject['categories'][number],
      'food_service' | 'food_production' | 'public_places' | 'drinking_water' | 'cosmetics' | 'childcare'
    >
  >,
  Assert<Equals<HealthCertificateSubject['validity'], { from: string; until: string }>>,
  Assert<IsOptional<HealthCertificateSubject['issuingAuthority'], 'uscc'>>,
  // skill certificate
  Assert<Equals<SkillCertificateSubject['level'], number>>,
  Assert<IsOptional<SkillCertificateSubject, 'expiryDate'>>,
  Assert<Equals<SkillCertificateSubject['occupation'], { code: string; name: string }>>,
  // the by-type map
  Assert<Equals<CredentialSubjectByType['LaborContract'], LaborContractSubject>>,
  Assert<Equals<CredentialSubjectByType['HealthCertificate'], HealthCertificateSubject>>,
  Assert<Equals<CredentialSubjectByType['SkillCertificate'], SkillCertificateSubject>>,
  Assert<Equals<keyof CredentialSubjectByType, keyof typeof SUBJECT_SCHEMA_BY_TYPE>>,
];

/** The examples, `as const` and deeply readonly, drop the readonly of their arrays to fit the mutable types. */
type DeepMutable<T> = T extends readonly (infer U)[]
  ? DeepMutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;
const mutable = <T>(x: T): DeepMutable<T> => x as DeepMutable<T>;

describe('subject types inferred from the schemas', () => {
  it('accept the schema examples', () => {
    const holder: HolderIdentity = holderIdentitySchema.examples[0];
    const contract: LaborContractSubject = laborContractSubjectSchema.examples[0];
    const openEnded: LaborContractSubject = laborContractSubjectSchema.examples[1];
    const health: HealthCertificateSubject = mutable(healthCertificateSubjectSchema.examples[0]);
    const skill: SkillCertificateSubject = skillCertificateSubjectSchema.examples[0];
    expect([holder, contract, openEnded, health, skill].every((x) => typeof x === 'object')).to.equal(true);
  });

  it('refuse what the schemas refuse (compile-time)', () => {
    const health = mutable(healthCertificateSubjectSchema.examples[0]);
    const pay = laborContractSubjectSchema.examples[0].pay;
    // @ts-expect-error a health certificate result can only be 'fit'
    const unfit: HealthCertificateSubject = { ...health, result: 'unfit' };
    // @ts-expect-error no diagnosis member
    const diagnosis: HealthCertificateSubject = { ...health, diagnosis: '活动性肺结核' };
    // @ts-expect-error currency is CNY only
    const usd: LaborContractSubject['pay'] = { ...pay, currency: 'USD' };
    // @ts-expect-error pay is a number of fen, not a string
    const text: LaborContractSubject['pay'] = { ...pay, amountFen: '180.00' };
    // @ts-expect-error the ID number is required
    const noId: HolderIdentity = { name: '张伟' };
    expect([unfit, diagnosis, usd, text, noId]).to.have.length(5);
  });

  it('narrow a validated value to the subject type', () => {
    const r = validator(laborContractSubjectSchema)(JSON.parse(JSON.stringify(laborContractSubjectSchema.examples[0])));
    expect(r.ok).to.equal(true);
    if (r.ok) {
      const fen: number = r.value.pay.amountFen;
      expect(fen / 100).to.equal(180);
    }
  });
});
