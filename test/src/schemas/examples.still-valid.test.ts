/**
 * The subject schemas' examples are what a newcomer copies into POST /v1/credentials (the
 * README says they are valid requests). Where a type's term may run for years — a labor
 * contract, a skill certificate — each example must give a credential valid today and for
 * months to come (its validity, as the gateway implies it from the subject's own dates,
 * contains today + 90 days), so an example with fixed dates fails here well before a
 * newcomer meets it expired. A health certificate lasts a year at most, so its examples
 * cannot stay valid: what a newcomer runs (the README's round trip, `npm run demo`) dates it
 * from today, and gateway/e2e/readme.round-trip and gateway/e2e/demo check that.
 */
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { impliedValidity } from '@anxin/gateway/credentials';
import { laborContractSubjectSchema, skillCertificateSubjectSchema, type CredentialType } from '@anxin/schemas';

const DAY = 24 * 3600 * 1000;
const AHEAD_DAYS = 90;

const DURABLE: Array<[CredentialType, readonly object[]]> = [
  ['LaborContract', laborContractSubjectSchema.examples],
  ['SkillCertificate', skillCertificateSubjectSchema.examples],
];

describe(`schema examples a newcomer issues: valid today and in ${AHEAD_DAYS} days`, () => {
  for (const [type, examples] of DURABLE) {
    examples.forEach((example, i) => {
      it(`${type} example ${i}`, () => {
        const v = impliedValidity(type, structuredClone(example) as Record<string, unknown>);
        const now = Date.now();
        expect(Date.parse(v.from!), `valid from ${v.from}`).to.be.at.most(now);
        if (v.until !== undefined)
          expect(Date.parse(v.until), `valid until ${v.until}`).to.be.at.least(now + AHEAD_DAYS * DAY);
      });
    });
  }
});
