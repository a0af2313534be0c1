/**
 * The subject of a HealthCertificate credential: an electronic health certificate for
 * practitioners (从业人员健康证明) in food, public places and the other trades where the
 * law requires one. It certifies fitness for the listed trades and nothing else: never
 * a diagnosis, a test result or any other medical detail.
 */
import { schemaId } from '../ids';
import type { Infer, Schema } from '../infer';
import { orgName } from '../ledger/common';
import type { SchemaIssue } from '../validate';
import { isoDate, uscc } from './common';
import { addDays, addYears, formatIsoDate, parseIsoDate } from './dates';

/**
 * Trades a health certificate covers: food_service 餐饮服务, food_production 食品生产经营,
 * public_places 公共场所, drinking_water 生活饮用水供管, cosmetics 化妆品生产,
 * childcare 托幼机构.
 */
export const HEALTH_CATEGORIES = [
  'food_service',
  'food_production',
  'public_places',
  'drinking_water',
  'cosmetics',
  'childcare',
] as const;
export type HealthCategory = (typeof HEALTH_CATEGORIES)[number];

export const healthCertificateSubjectSchema = {
  $id: schemaId('health-certificate-subject'),
  title: 'Health certificate (credential subject)',
  description:
    'An electronic health certificate for practitioners (从业人员健康证明): who issued it, for which ' +
    'trades, and from when until when it is valid (normally one year). It holds no medical data.',
  type: 'object',
  properties: {
    certificateNumber: {
      type: 'string',
      pattern: '^[A-Za-z0-9-]{6,32}$',
      description: 'Certificate number (健康证明编号).',
    },
    issuingAuthority: {
      type: 'object',
      description:
        'The health authority or designated examination institution that issued it. Its uscc must be the ' +
        "issuing issuer's registered USCC: the gateway issues nothing else, and verification checks it.",
      properties: {
        name: orgName,
        uscc,
      },
      required: ['name'],
      additionalProperties: false,
    },
    categories: {
      type: 'array',
      items: { type: 'string', enum: HEALTH_CATEGORIES },
      minItems: 1,
      uniqueItems: true,
      description: 'The trades the holder is fit to work in.',
    },
    examDate: { ...isoDate, description: 'Date of the health examination.' },
    validity: {
      type: 'object',
      description: 'Validity, both dates inclusive; normally one year.',
      properties: {
        from: isoDate,
        until: isoDate,
      },
      required: ['from', 'until'],
      additionalProperties: false,
    },
    result: {
      const: 'fit',
      description:
        'Always "fit". A certificate is never a diagnosis: an unfit worker simply gets no certificate ' +
        '(or has the existing one suspended or revoked), and no reason is ever recorded here.',
    },
  },
  required: ['certificateNumber', 'issuingAuthority', 'categories', 'examDate', 'validity', 'result'],
  additionalProperties: false,
  examples: [
    {
      certificateNumber: '5101072026031200457',
      issuingAuthority: { name: '成都市武侯区疾病预防控制中心', uscc: '12510107MB1H27435B' },
      categories: ['food_service'],
      examDate: '2026-03-12',
      validity: { from: '2026-03-20', until: '2027-03-19' },
      result: 'fit',
    },
    {
      certificateNumber: 'SZNS-2026-008812',
      issuingAuthority: { name: '深圳市南山区慢性病防治院', uscc: '12440305MB2D71836F' },
      categories: ['public_places', 'childcare'],
      examDate: '2026-02-26',
      validity: { from: '2026-02-28', until: '2027-02-27' },
      result: 'fit',
    },
  ],
} as const satisfies Schema;
export type HealthCertificateSubject = Infer<typeof healthCertificateSubjectSchema>;

/** The latest `validity.until` accepted for a certificate valid from `from`: one year and one day later. */
export function latestHealthValidUntil(from: string): string | undefined {
  const start = parseIsoDate(from);
  return start && formatIsoDate(addDays(addYears(start, 1), 1));
}

/**
 * Date rules the schema cannot express: the validity does not end before it starts, lasts at
 * most one year (+1 day of tolerance), and the examination does not come after the start.
 * Call it after schema validation; returns issues in the validators' shape (empty = fine).
 */
export function checkHealthValidity(subject: HealthCertificateSubject): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const { from, until } = subject.validity;
  if (until < from) {
    issues.push({ field: '/validity/until', code: 'dateOrder', message: `ends (${until}) before it starts (${from})` });
  } else {
    const latest = latestHealthValidUntil(from);
    if (latest !== undefined && until > latest) {
      issues.push({
        field: '/validity/until',
        code: 'maxValidity',
        message: `a health certificate is valid for one year at most: until must be on or before ${latest}`,
      });
    }
  }
  if (subject.examDate > from) {
    issues.push({
      field: '/examDate',
      code: 'dateOrder',
      message: `the examination (${subject.examDate}) comes after the start of validity (${from})`,
    });
  }
  return issues;
}
