/**
 * The subject of a LaborContract credential: the terms of one signed labor contract
 * (劳动合同) or labor-platform engagement, plus the digest of the signed document itself.
 * The worker's identity is not here: it is the credential's holder (holder.ts).
 */
import { schemaId } from '../ids';
import type { Infer, Schema } from '../infer';
import { utcDateTime } from '../ledger/common';
import type { SchemaIssue } from '../validate';
import { digestSRI, divisionCode, isoDate, occupationCode, organisation, shortText } from './common';

export const CONTRACT_TYPES = [
  /** 固定期限劳动合同 */
  'fixed_term',
  /** 无固定期限劳动合同 */
  'open_ended',
  /** 以完成一定工作任务为期限的劳动合同 */
  'task_based',
  /** 非全日制用工 */
  'part_time',
  /** 日结零工 */
  'daily_gig',
] as const;
export type ContractType = (typeof CONTRACT_TYPES)[number];

export const PAY_UNITS = ['hour', 'day', 'month', 'piece'] as const;
/** daily = 日结, semi_monthly = twice a month, on_completion = when the task is done. */
export const PAY_CYCLES = ['daily', 'weekly', 'semi_monthly', 'monthly', 'on_completion'] as const;
/** standard = 标准工时, comprehensive = 综合计算工时, flexible = 不定时工作制. */
export const WORKING_HOUR_SYSTEMS = ['standard', 'comprehensive', 'flexible'] as const;
export const SIGNING_METHODS = [
  'face_verified_esignature',
  'sms_verified_esignature',
  'ca_digital_signature',
  'handwritten_scanned',
] as const;

export const laborContractSubjectSchema = {
  $id: schemaId('labor-contract-subject'),
  title: 'Labor contract (credential subject)',
  description:
    'The terms of one signed labor contract and the SRI digest of the signed contract PDF, so the ' +
    'document can be checked against the ledger-anchored credential. The worker is the credential ' +
    'holder and is not named here. Money is in fen (integer), never a float.',
  type: 'object',
  properties: {
    employer: {
      ...organisation,
      description:
        'The employer: the party to the contract (用人单位). When an employer issues the contract, its uscc is ' +
        "the issuer's registered USCC.",
    },
    platform: {
      ...organisation,
      description:
        'The labor platform through which the worker was hired, when there is one. When a platform issues the ' +
        "contract on the employer's behalf, its uscc is the issuer's registered USCC.",
    },
    worker: {
      type: 'object',
      description: 'Worker-side references. Never a name or ID number: those are the holder identity.',
      properties: {
        platformRef: {
          type: 'string',
          minLength: 1,
          maxLength: 64,
          pattern: '^[\\x21-\\x7E]+$',
          description: "The platform's opaque worker account id (printable ASCII, no spaces).",
        },
      },
      additionalProperties: false,
    },
    contractNumber: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      textLine: true,
      description: "The employer's contract number (合同编号).",
    },
    contractType: {
      type: 'string',
      enum: CONTRACT_TYPES,
      description:
        'fixed_term 固定期限, open_ended 无固定期限, task_based 以完成一定工作任务为期限, ' +
        'part_time 非全日制, daily_gig 日结零工.',
    },
    jobTitle: { ...shortText, description: 'Job title as written in the contract.' },
    occupationCode,
    workLocation: {
      type: 'object',
      properties: {
        divisionCode,
        province: { ...shortText, maxLength: 32 },
        city: { ...shortText, maxLength: 32 },
        district: { ...shortText, maxLength: 32 },
        address: { ...shortText, maxLength: 200 },
      },
      required: ['divisionCode', 'province', 'city', 'address'],
      additionalProperties: false,
    },
    term: {
      type: 'object',
      description: 'Contract term. openEnded=true: no endDate; openEnded=false: endDate required.',
      properties: {
        startDate: isoDate,
        endDate: isoDate,
        openEnded: { type: 'boolean' },
      },
      required: ['startDate', 'openEnded'],
      additionalProperties: false,
      if: { properties: { openEnded: { const: true } }, required: ['openEnded'] },
      then: { properties: { endDate: { not: {} } } },
      else: { required: ['endDate'] },
    },
    pay: {
      type: 'object',
      properties: {
        amountFen: {
          type: 'integer',
          minimum: 1,
          maximum: 10_000_000_000,
          description: 'Pay per unit in fen (1/100 yuan): an integer, never a float.',
        },
        currency: { const: 'CNY' },
        unit: { type: 'string', enum: PAY_UNITS },
        cycle: { type: 'string', enum: PAY_CYCLES },
      },
      required: ['amountFen', 'currency', 'unit', 'cycle'],
      additionalProperties: false,
    },
    workingHours: {
      type: 'object',
      properties: {
        system: { type: 'string', enum: WORKING_HOUR_SYSTEMS },
        hoursPerDay: { type: 'number', exclusiveMinimum: 0, maximum: 24 },
        daysPerWeek: { type: 'integer', minimum: 1, maximum: 7 },
      },
      required: ['system'],
      additionalProperties: false,
    },
    insurance: {
      type: 'object',
      description:
        'social = 社会保险, workInjury = 工伤保险 (or occupational injury protection), commercial = 商业保险.',
      properties: {
        social: { type: 'boolean' },
        workInjury: { type: 'boolean' },
        commercial: { type: 'boolean' },
      },
      required: ['social', 'workInjury', 'commercial'],
      additionalProperties: false,
    },
    document: {
      type: 'object',
      description: 'The signed contract document.',
      properties: {
        digestSRI,
        mediaType: { const: 'application/pdf' },
        pages: { type: 'integer', minimum: 1, maximum: 10_000 },
      },
      required: ['digestSRI', 'mediaType'],
      additionalProperties: false,
    },
    signing: {
      type: 'object',
      properties: {
        method: { type: 'string', enum: SIGNING_METHODS },
        signedAt: utcDateTime,
      },
      required: ['method', 'signedAt'],
      additionalProperties: false,
    },
  },
  required: [
    'employer',
    'contractType',
    'jobTitle',
    'workLocation',
    'term',
    'pay',
    'workingHours',
    'insurance',
    'document',
    'signing',
  ],
  additionalProperties: false,
  allOf: [
    {
      description: 'A worker account id on a platform means there is a platform.',
      if: {
        properties: {
          worker: { type: 'object', properties: { platformRef: { type: 'string' } }, required: ['platformRef'] },
        },
        required: ['worker'],
      },
      then: { properties: { platform: { type: 'object' } }, required: ['platform'] },
    },
    {
      description: 'An open-ended contract (无固定期限) has an open-ended term.',
      if: { properties: { contractType: { const: 'open_ended' } }, required: ['contractType'] },
      then: { properties: { term: { type: 'object', properties: { openEnded: { const: true } } } } },
    },
    {
      description: 'A fixed-term or daily-gig contract ends on a known date.',
      if: { properties: { contractType: { enum: ['fixed_term', 'daily_gig'] } }, required: ['contractType'] },
      then: { properties: { term: { type: 'object', properties: { openEnded: { const: false } } } } },
    },
  ],
  examples: [
    {
      employer: { name: '成都蜀味坊火锅餐饮管理有限公司', uscc: '91510107MA6CK3PQ12' },
      platform: { name: '四川快工灵活用工科技有限公司', uscc: '91510100MA62T8RW59' },
      worker: { platformRef: 'KG-2026-00481753' },
      contractNumber: 'KG-DG-20260316-0042',
      contractType: 'daily_gig',
      jobTitle: '洗碗工',
      workLocation: {
        divisionCode: '510107',
        province: '四川省',
        city: '成都市',
        district: '武侯区',
        address: '武侯祠大街 238 号 1 楼',
      },
      // The platform engagement runs for years, shifts paid by the day: an example that stays
      // valid (a single day's term would have expired the day after it was written).
      term: { startDate: '2026-03-16', endDate: '2031-03-15', openEnded: false },
      pay: { amountFen: 18000, currency: 'CNY', unit: 'day', cycle: 'daily' },
      workingHours: { system: 'flexible', hoursPerDay: 8 },
      insurance: { social: false, workInjury: true, commercial: true },
      document: {
        digestSRI: 'sha256-/bHM6VtVqEG5hH/X3Ya0dplXal0nOcKx++tvbG/toYY=',
        mediaType: 'application/pdf',
        pages: 3,
      },
      signing: { method: 'face_verified_esignature', signedAt: '2026-03-15T22:41:07Z' },
    },
    {
      employer: { name: '深圳市南山区安康养老服务有限公司', uscc: '91440300MA5G8NKR4Q' },
      contractNumber: '安康劳字〔2026〕第017号',
      contractType: 'open_ended',
      jobTitle: '养老护理员',
      occupationCode: '4-10-01-05',
      workLocation: {
        divisionCode: '440305',
        province: '广东省',
        city: '深圳市',
        district: '南山区',
        address: '桃园路 88 号安康颐养中心',
      },
      term: { startDate: '2026-04-01', openEnded: true },
      pay: { amountFen: 680000, currency: 'CNY', unit: 'month', cycle: 'monthly' },
      workingHours: { system: 'standard', hoursPerDay: 8, daysPerWeek: 5 },
      insurance: { social: true, workInjury: true, commercial: false },
      document: {
        digestSRI: 'sha384-ibC6npbf3t7g4fV0MBf1L24/Qtz5ffWgqWRWGeQDkW8I1erGdPAb8FlOZDjbnwX5',
        mediaType: 'application/pdf',
        pages: 9,
      },
      signing: { method: 'ca_digital_signature', signedAt: '2026-03-28T06:30:00Z' },
    },
  ],
} as const satisfies Schema;
export type LaborContractSubject = Infer<typeof laborContractSubjectSchema>;

/**
 * Date rules the schema cannot express: the contract cannot end before it starts. Call it
 * after schema validation; returns issues in the same shape as the validators (empty = fine).
 */
export function checkLaborContractDates(subject: LaborContractSubject): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const { startDate, endDate } = subject.term;
  // YYYY-MM-DD strings: lexicographic order is date order.
  if (endDate !== undefined && endDate < startDate) {
    issues.push({
      field: '/term/endDate',
      code: 'dateOrder',
      message: `ends (${endDate}) before it starts (${startDate})`,
    });
  }
  return issues;
}
