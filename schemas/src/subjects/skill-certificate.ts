/**
 * The subject of a SkillCertificate credential: a vocational skill level certificate
 * (职业技能等级证书) issued by a recorded skill-evaluation body for one occupation of the
 * national occupational classification, at one of the five national levels.
 */
import { schemaId } from '../ids';
import type { Infer, Schema } from '../infer';
import { orgName } from '../ledger/common';
import type { SchemaIssue } from '../validate';
import { isoDate, occupationCode, shortText, uscc } from './common';

/** The five national skill levels: 5 is the entry level, 1 the highest. */
export const SKILL_LEVEL_NAMES = {
  5: { zh: '五级/初级工', en: 'Level 5 / Junior worker' },
  4: { zh: '四级/中级工', en: 'Level 4 / Intermediate worker' },
  3: { zh: '三级/高级工', en: 'Level 3 / Senior worker' },
  2: { zh: '二级/技师', en: 'Level 2 / Technician' },
  1: { zh: '一级/高级技师', en: 'Level 1 / Senior technician' },
} as const;
export type SkillLevel = keyof typeof SKILL_LEVEL_NAMES;

export const skillCertificateSubjectSchema = {
  $id: schemaId('skill-certificate-subject'),
  title: 'Skill certificate (credential subject)',
  description:
    'A vocational skill level certificate (职业技能等级证书): the evaluation body, the occupation ' +
    '(national occupational classification 2022), the level (5 = 五级/初级工 … 1 = 一级/高级技师), ' +
    'the certificate number and dates.',
  type: 'object',
  properties: {
    certifyingBody: {
      type: 'object',
      description:
        'The skill-evaluation body (职业技能等级认定机构) that issued the certificate. Its uscc must be the ' +
        "issuing issuer's registered USCC: the gateway issues nothing else, and verification checks it.",
      properties: {
        name: orgName,
        uscc,
        recordNumber: {
          type: 'string',
          pattern: '^[A-Za-z0-9-]{4,32}$',
          description: 'Its record number with the human-resources authority (备案编号).',
        },
      },
      required: ['name'],
      additionalProperties: false,
    },
    occupation: {
      type: 'object',
      properties: {
        code: occupationCode,
        name: { ...shortText, description: 'Occupation (or work type) name, e.g. 中式烹调师.' },
      },
      required: ['code', 'name'],
      additionalProperties: false,
    },
    level: {
      type: 'integer',
      minimum: 1,
      maximum: 5,
      description: '5 = 五级/初级工, 4 = 四级/中级工, 3 = 三级/高级工, 2 = 二级/技师, 1 = 一级/高级技师.',
    },
    certificateNumber: {
      type: 'string',
      pattern: '^[A-Za-z0-9-]{6,32}$',
      description: 'Certificate number (证书编号).',
    },
    issueDate: isoDate,
    expiryDate: { ...isoDate, description: 'Absent when the certificate does not expire.' },
  },
  required: ['certifyingBody', 'occupation', 'level', 'certificateNumber', 'issueDate'],
  additionalProperties: false,
  examples: [
    {
      certifyingBody: {
        name: '成都锦城职业技能培训学校',
        uscc: '52510100MJP60721XR',
        recordNumber: 'S000051010007',
      },
      occupation: { code: '4-03-02-01', name: '中式烹调师' },
      level: 4,
      certificateNumber: 'S000051010007244000123',
      issueDate: '2025-11-28',
    },
    {
      certifyingBody: { name: '上海浦东新区安居家政职业培训中心', uscc: '91310115MA1K4T7L2G' },
      occupation: { code: '4-10-01-05', name: '养老护理员' },
      level: 5,
      certificateNumber: 'S000031011502254000017',
      issueDate: '2026-01-15',
      expiryDate: '2031-01-14',
    },
  ],
} as const satisfies Schema;
export type SkillCertificateSubject = Infer<typeof skillCertificateSubjectSchema>;

/**
 * Date rules the schema cannot express: a certificate does not expire before it is issued.
 * Call it after schema validation; returns issues in the validators' shape (empty = fine).
 */
export function checkSkillDates(subject: SkillCertificateSubject): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const { issueDate, expiryDate } = subject;
  if (expiryDate !== undefined && expiryDate < issueDate) {
    issues.push({
      field: '/expiryDate',
      code: 'dateOrder',
      message: `expires (${expiryDate}) before it is issued (${issueDate})`,
    });
  }
  return issues;
}
