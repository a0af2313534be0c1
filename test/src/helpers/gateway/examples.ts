/**
 * The schemas' own examples as the tests issue them: subjects (a health certificate's dates
 * moved to now), holders, the issuer kind of each type, and instants relative to now.
 */
import { CREDENTIAL_TYPES, SUBJECT_SCHEMA_BY_TYPE, holderIdentitySchema, type CredentialType } from '@anxin/schemas';

export type Format = 'vc+jwt' | 'dc+sd-jwt';
export const FORMATS: readonly Format[] = ['vc+jwt', 'dc+sd-jwt'];
export { CREDENTIAL_TYPES };

/** The issuer kind that naturally issues each type. */
export const KIND_FOR_TYPE: Record<CredentialType, 'employer' | 'health_authority' | 'training_body' | 'platform'> = {
  LaborContract: 'platform',
  HealthCertificate: 'health_authority',
  SkillCertificate: 'training_body',
};

const HOLDERS = holderIdentitySchema.examples;

/** YYYY-MM-DD of the day `days` from today in China's calendar (UTC+8), the calendar subjects' dates are in. */
export function cstDateFromNow(days: number): string {
  return new Date(Date.now() + 8 * 3600 * 1000 + days * DAY).toISOString().slice(0, 10);
}

/**
 * The schema's example subject of a type (a deep copy). A health certificate's example has its
 * dates moved to now — examined three days ago, valid from yesterday for one year — since a
 * health certificate lasts a year at most and the example's fixed dates run out; the other
 * types' examples stay valid for years as they are.
 */
export function exampleSubject(type: CredentialType, n = 0): Record<string, unknown> {
  const ex = (SUBJECT_SCHEMA_BY_TYPE[type] as { examples: readonly object[] }).examples;
  const subject = structuredClone(ex[n % ex.length]) as Record<string, unknown>;
  if (type === 'HealthCertificate') {
    const from = cstDateFromNow(-1);
    const until = new Date(`${from}T00:00:00Z`);
    until.setUTCFullYear(until.getUTCFullYear() + 1);
    until.setUTCDate(until.getUTCDate() - 1);
    subject.examDate = cstDateFromNow(-3);
    subject.validity = { from, until: until.toISOString().slice(0, 10) };
  }
  return subject;
}

/** One of the holder schema's example people (a copy). */
export function exampleHolder(n = 0): { name: string; idNumber: string } {
  const h = HOLDERS[n % HOLDERS.length]!;
  return { name: h.name, idNumber: h.idNumber };
}

/** An RFC 3339 UTC instant `ms` from now (negative: in the past), without milliseconds. */
export function isoFromNow(ms: number): string {
  return new Date(Math.floor((Date.now() + ms) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const DAY = 24 * 3600 * 1000;
