import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  CREDENTIAL_TYPES,
  HEALTH_CATEGORIES,
  SKILL_LEVEL_NAMES,
  SUBJECT_DATE_CHECKS,
  SUBJECT_SCHEMA_BY_TYPE,
  SUBJECT_SCHEMAS,
  healthCertificateSubjectSchema,
  holderIdentitySchema,
  laborContractSubjectSchema,
  schemaId,
  skillCertificateSubjectSchema,
} from '@anxin/schemas';

describe('credential subjects by type', () => {
  it('SUBJECT_SCHEMAS lists the holder identity and the three subjects', () => {
    expect(SUBJECT_SCHEMAS.map((s) => s.$id)).to.deep.equal([
      schemaId('holder-identity'),
      schemaId('labor-contract-subject'),
      schemaId('health-certificate-subject'),
      schemaId('skill-certificate-subject'),
    ]);
  });

  it('SUBJECT_SCHEMA_BY_TYPE covers every credential type', () => {
    expect(Object.keys(SUBJECT_SCHEMA_BY_TYPE)).to.have.members([...CREDENTIAL_TYPES]);
    expect(SUBJECT_SCHEMA_BY_TYPE.LaborContract).to.equal(laborContractSubjectSchema);
    expect(SUBJECT_SCHEMA_BY_TYPE.HealthCertificate).to.equal(healthCertificateSubjectSchema);
    expect(SUBJECT_SCHEMA_BY_TYPE.SkillCertificate).to.equal(skillCertificateSubjectSchema);
    expect(Object.values(SUBJECT_SCHEMA_BY_TYPE)).to.not.include(holderIdentitySchema);
  });

  it('SUBJECT_DATE_CHECKS covers every credential type', () => {
    expect(Object.keys(SUBJECT_DATE_CHECKS)).to.have.members([...CREDENTIAL_TYPES]);
  });

  it('SKILL_LEVEL_NAMES names exactly the levels the schema allows, 5 = 初级工 … 1 = 高级技师', () => {
    const { minimum, maximum } = skillCertificateSubjectSchema.properties.level;
    const levels = Object.keys(SKILL_LEVEL_NAMES).map(Number).sort();
    expect(levels).to.deep.equal(Array.from({ length: maximum - minimum + 1 }, (_, i) => minimum + i));
    expect(SKILL_LEVEL_NAMES[5].zh).to.contain('初级工');
    expect(SKILL_LEVEL_NAMES[4].zh).to.contain('中级工');
    expect(SKILL_LEVEL_NAMES[3].zh).to.contain('高级工');
    expect(SKILL_LEVEL_NAMES[2].zh).to.contain('技师');
    expect(SKILL_LEVEL_NAMES[1].zh).to.contain('高级技师');
    for (const names of Object.values(SKILL_LEVEL_NAMES)) expect(names.en).to.match(/^Level [1-5] \/ /);
  });

  it('HEALTH_CATEGORIES is the schema enum', () => {
    expect([...healthCertificateSubjectSchema.properties.categories.items.enum]).to.deep.equal([...HEALTH_CATEGORIES]);
  });

  it('the health certificate result says it is never a diagnosis', () => {
    expect(healthCertificateSubjectSchema.properties.result.description).to.match(/never a diagnosis/);
  });
});
