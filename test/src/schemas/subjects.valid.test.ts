import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  SUBJECT_DATE_CHECKS,
  SUBJECT_SCHEMA_BY_TYPE,
  validator,
  type CredentialType,
  type CredentialSubjectByType,
} from '@anxin/schemas';
import { SUBJECT_FIXTURES } from './fixtures';
import { show, validFixtureSuite } from './helpers';

describe('credential subjects: valid inputs', () => {
  validFixtureSuite(SUBJECT_FIXTURES);

  describe('valid subjects also pass their date checks', () => {
    for (const [type, schema] of Object.entries(SUBJECT_SCHEMA_BY_TYPE) as [CredentialType, { $id: string }][]) {
      const group = SUBJECT_FIXTURES.find((g) => g.schema.$id === schema.$id)!;
      for (const f of group.valid) {
        it(`${type}: ${f.name}`, () => {
          const check = SUBJECT_DATE_CHECKS[type] as (s: CredentialSubjectByType[CredentialType]) => unknown[];
          expect(check(f.data as CredentialSubjectByType[CredentialType])).to.deep.equal([]);
        });
      }
    }
  });

  it('validator() hands back the very object, typed', () => {
    const check = validator(SUBJECT_SCHEMA_BY_TYPE.HealthCertificate);
    const input: unknown = JSON.parse(JSON.stringify(SUBJECT_SCHEMA_BY_TYPE.HealthCertificate.examples[0]));
    const r = check(input);
    expect(r.ok, r.ok ? '' : show(r.issues)).to.equal(true);
    if (r.ok) {
      expect(r.value).to.equal(input);
      expect(r.value.validity.until).to.equal('2027-03-19');
    }
  });
});
