import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  checkHealthValidity,
  checkLaborContractDates,
  checkSkillDates,
  latestHealthValidUntil,
  SUBJECT_DATE_CHECKS,
  type HealthCertificateSubject,
  type LaborContractSubject,
  type SkillCertificateSubject,
} from '@anxin/schemas';
import { DAILY_GIG, HEALTH, OPEN_ENDED, SKILL } from './fixtures/subjects';

const codes = (issues: { field: string; code: string }[]) => issues.map(({ field, code }) => ({ field, code }));

function health(changes: { examDate?: string; from?: string; until?: string }): HealthCertificateSubject {
  return {
    ...HEALTH,
    categories: [...HEALTH.categories],
    examDate: changes.examDate ?? HEALTH.examDate,
    validity: { from: changes.from ?? HEALTH.validity.from, until: changes.until ?? HEALTH.validity.until },
  };
}

describe('subject date checks', () => {
  describe('checkHealthValidity', () => {
    it('accepts the example (one year minus a day)', () => {
      expect(checkHealthValidity(health({}))).to.deep.equal([]);
    });

    it('accepts exactly one year and one day', () => {
      expect(checkHealthValidity(health({ from: '2026-03-20', until: '2027-03-21' }))).to.deep.equal([]);
    });

    it('accepts a certificate valid for a single day, examined that day', () => {
      expect(
        checkHealthValidity(health({ examDate: '2026-03-20', from: '2026-03-20', until: '2026-03-20' })),
      ).to.deep.equal([]);
    });

    it('rejects until before from', () => {
      expect(codes(checkHealthValidity(health({ from: '2026-03-20', until: '2026-03-19' })))).to.deep.equal([
        { field: '/validity/until', code: 'dateOrder' },
      ]);
    });

    it('rejects more than one year and one day', () => {
      expect(codes(checkHealthValidity(health({ from: '2026-03-20', until: '2027-03-22' })))).to.deep.equal([
        { field: '/validity/until', code: 'maxValidity' },
      ]);
    });

    it('rejects a two-year certificate', () => {
      expect(codes(checkHealthValidity(health({ from: '2026-03-20', until: '2028-03-19' })))).to.deep.equal([
        { field: '/validity/until', code: 'maxValidity' },
      ]);
    });

    it('handles 29 February: one year later is 28 February, plus one day of tolerance', () => {
      expect(latestHealthValidUntil('2028-02-29')).to.equal('2029-03-01');
      expect(
        checkHealthValidity(health({ examDate: '2028-02-25', from: '2028-02-29', until: '2029-03-01' })),
      ).to.deep.equal([]);
      expect(
        codes(checkHealthValidity(health({ examDate: '2028-02-25', from: '2028-02-29', until: '2029-03-02' }))),
      ).to.deep.equal([{ field: '/validity/until', code: 'maxValidity' }]);
    });

    it('handles a span across a leap day', () => {
      expect(latestHealthValidUntil('2027-03-01')).to.equal('2028-03-02');
      expect(latestHealthValidUntil('2027-12-31')).to.equal('2029-01-01');
    });

    it('rejects an examination after the start of validity', () => {
      expect(codes(checkHealthValidity(health({ examDate: '2026-03-21' })))).to.deep.equal([
        { field: '/examDate', code: 'dateOrder' },
      ]);
    });

    it('reports every problem at once', () => {
      expect(
        codes(checkHealthValidity(health({ examDate: '2026-04-01', from: '2026-03-20', until: '2026-01-01' }))),
      ).to.have.deep.members([
        { field: '/validity/until', code: 'dateOrder' },
        { field: '/examDate', code: 'dateOrder' },
      ]);
    });

    it('gives a message with every issue', () => {
      for (const issue of checkHealthValidity(health({ examDate: '2026-04-01', until: '2026-01-01' }))) {
        expect(issue.message).to.be.a('string').and.not.equal('');
      }
    });
  });

  describe('checkLaborContractDates', () => {
    const contract = (term: LaborContractSubject['term']): LaborContractSubject => ({ ...DAILY_GIG, term });

    it('accepts a contract ending on its first day', () => {
      expect(
        checkLaborContractDates(contract({ startDate: '2026-03-16', endDate: '2026-03-16', openEnded: false })),
      ).to.deep.equal([]);
    });

    it('accepts an open-ended contract', () => {
      expect(checkLaborContractDates(OPEN_ENDED)).to.deep.equal([]);
    });

    it('rejects an end date before the start date', () => {
      expect(
        codes(checkLaborContractDates(contract({ startDate: '2026-03-16', endDate: '2026-03-15', openEnded: false }))),
      ).to.deep.equal([{ field: '/term/endDate', code: 'dateOrder' }]);
    });

    it('compares across years correctly', () => {
      expect(
        checkLaborContractDates(contract({ startDate: '2026-12-31', endDate: '2027-01-01', openEnded: false })),
      ).to.deep.equal([]);
      expect(
        codes(checkLaborContractDates(contract({ startDate: '2027-01-01', endDate: '2026-12-31', openEnded: false }))),
      ).to.deep.equal([{ field: '/term/endDate', code: 'dateOrder' }]);
    });
  });

  describe('checkSkillDates', () => {
    const skill = (expiryDate?: string): SkillCertificateSubject => ({
      ...SKILL,
      ...(expiryDate ? { expiryDate } : {}),
    });

    it('accepts a certificate without expiry', () => {
      expect(checkSkillDates(skill())).to.deep.equal([]);
    });

    it('accepts an expiry after the issue date', () => {
      expect(checkSkillDates(skill('2030-11-27'))).to.deep.equal([]);
    });

    it('rejects an expiry before the issue date', () => {
      expect(codes(checkSkillDates(skill('2025-11-27')))).to.deep.equal([{ field: '/expiryDate', code: 'dateOrder' }]);
    });
  });

  describe('SUBJECT_DATE_CHECKS', () => {
    it('maps each credential type to its check', () => {
      expect(SUBJECT_DATE_CHECKS.LaborContract).to.equal(checkLaborContractDates);
      expect(SUBJECT_DATE_CHECKS.HealthCertificate).to.equal(checkHealthValidity);
      expect(SUBJECT_DATE_CHECKS.SkillCertificate).to.equal(checkSkillDates);
    });
  });
});
