/**
 * SD-JWT VC Type Metadata (draft-ietf-oauth-sd-jwt-vc) of each credential type: what a
 * wallet or verifier that never heard of Anxin needs to show one — the type's name and
 * every claim's label in Chinese and English, whether it is selectively disclosable — and
 * the JSON Schema of the payload with every disclosure applied.
 *
 * A gateway serves the document at the type's `vct` (`<public url>/vct/v1/<type>`) and
 * signs `vct#integrity`, the SRI hash of exactly the bytes it serves, into each credential.
 * Pure: no hashing here (see the gateway), so the browser can import this module.
 */
import type { CredentialType } from '../ledger/common';
import { SUBJECT_SCHEMA_BY_TYPE } from '../subjects/index';
import { credentialHolderSchema, JSON_SCHEMA_DIALECT, SUBJECT_MEMBER } from './vc';
import { vctOf } from './public-ids';

/** The locales every display name and claim label is given in. */
export const TYPE_METADATA_LOCALES = ['zh-CN', 'en'] as const;

type Words = readonly [zh: string, en: string];

/** The name of each type, as a person reads it. */
const TYPE_NAMES: Record<CredentialType, Words> = {
  LaborContract: ['劳动合同', 'Labor contract'],
  HealthCertificate: ['从业人员健康证明', 'Health certificate'],
  SkillCertificate: ['职业技能等级证书', 'Skill certificate'],
};

/** Labels of the members a credential carries, by name; `PATH_LABELS` where a name means more than one thing. */
export const CLAIM_LABELS: Readonly<Record<string, Words>> = {
  holder: ['持证人', 'Holder'],
  name: ['姓名', 'Name'],
  idNumber: ['居民身份证号码', 'ID number'],
  salt: ['持证人承诺盐值', 'Holder commitment salt'],
  ref: ['持证人承诺', 'Holder commitment'],
  laborContract: ['劳动合同', 'Labor contract'],
  healthCertificate: ['健康证明', 'Health certificate'],
  skillCertificate: ['技能等级证书', 'Skill certificate'],
  certificateNumber: ['证书编号', 'Certificate number'],
  issuingAuthority: ['发证机构', 'Issuing authority'],
  uscc: ['统一社会信用代码', 'Unified social credit code'],
  categories: ['从业类别', 'Trades'],
  examDate: ['体检日期', 'Examination date'],
  validity: ['有效期', 'Validity'],
  from: ['起始日期', 'Valid from'],
  until: ['截止日期', 'Valid until'],
  result: ['结论', 'Result'],
  certifyingBody: ['评价机构', 'Certifying body'],
  recordNumber: ['备案编号', 'Record number'],
  occupation: ['职业（工种）', 'Occupation'],
  code: ['职业编码', 'Occupation code'],
  occupationCode: ['职业编码', 'Occupation code'],
  level: ['等级', 'Level'],
  issueDate: ['发证日期', 'Issue date'],
  expiryDate: ['有效期至', 'Expiry date'],
  employer: ['用人单位', 'Employer'],
  platform: ['用工平台', 'Labor platform'],
  worker: ['劳动者', 'Worker'],
  platformRef: ['平台账号', 'Platform account'],
  contractNumber: ['合同编号', 'Contract number'],
  contractType: ['合同类型', 'Contract type'],
  jobTitle: ['工作岗位', 'Job title'],
  workLocation: ['工作地点', 'Work location'],
  divisionCode: ['行政区划代码', 'Division code'],
  province: ['省', 'Province'],
  city: ['市', 'City'],
  district: ['区（县）', 'District'],
  address: ['地址', 'Address'],
  term: ['合同期限', 'Term'],
  startDate: ['开始日期', 'Start date'],
  endDate: ['终止日期', 'End date'],
  openEnded: ['无固定期限', 'Open-ended'],
  pay: ['劳动报酬', 'Pay'],
  amountFen: ['金额（分）', 'Amount (fen)'],
  currency: ['币种', 'Currency'],
  unit: ['计酬单位', 'Pay unit'],
  cycle: ['支付周期', 'Pay cycle'],
  workingHours: ['工时', 'Working hours'],
  system: ['工时制度', 'Working-hour system'],
  hoursPerDay: ['每日工时', 'Hours per day'],
  daysPerWeek: ['每周工作天数', 'Days per week'],
  insurance: ['保险', 'Insurance'],
  social: ['社会保险', 'Social insurance'],
  workInjury: ['工伤保险', 'Work-injury insurance'],
  commercial: ['商业保险', 'Commercial insurance'],
  document: ['合同文本', 'Contract document'],
  digestSRI: ['文本摘要', 'Document digest'],
  mediaType: ['文件类型', 'Media type'],
  pages: ['页数', 'Pages'],
  signing: ['签署', 'Signing'],
  method: ['签署方式', 'Signing method'],
  signedAt: ['签署时间', 'Signed at'],
};

/** Where a member's name alone would mislabel it: by its path joined with '.'. */
const PATH_LABELS: Readonly<Record<string, Words>> = {
  'healthCertificate.issuingAuthority.name': ['机构名称', 'Name'],
  'skillCertificate.certifyingBody.name': ['机构名称', 'Name'],
  'skillCertificate.occupation.name': ['职业名称', 'Occupation name'],
  'laborContract.employer.name': ['单位名称', 'Name'],
  'laborContract.platform.name': ['平台名称', 'Name'],
};

export type ClaimPath = string[];

/** One claim's metadata: its path, its labels, whether it is selectively disclosable. */
export interface ClaimMetadata {
  path: ClaimPath;
  display: { locale: string; lang: string; label: string }[];
  sd: 'always' | 'never';
}

/** The paths of every member under `prefix` in `schema`, parents before children. */
function claimPaths(schema: unknown, prefix: ClaimPath): ClaimPath[] {
  const out: ClaimPath[] = [];
  const node = schema as { properties?: Record<string, unknown>; items?: unknown };
  for (const [k, v] of Object.entries(node.properties ?? {})) {
    const path = [...prefix, k];
    out.push(path, ...claimPaths(v, path));
  }
  return out;
}

/** The labels of a claim path: by path where the name alone is ambiguous, else by its last name. */
export function claimLabels(path: ClaimPath): Words | undefined {
  return PATH_LABELS[path.join('.')] ?? CLAIM_LABELS[path[path.length - 1]!];
}

function display(words: Words, key: 'label' | 'name') {
  return TYPE_METADATA_LOCALES.map((locale, i) => ({ locale, lang: locale, [key]: words[i]! }));
}

/** A schema as a part of another: without its own `$id`, `$schema` and examples. */
function embedded(schema: object): Record<string, unknown> {
  const { $id: _id, $schema: _dialect, examples: _examples, ...rest } = schema as Record<string, unknown>;
  return rest;
}

/**
 * The Type Metadata of `type` as served under `publicUrl`. Claims under `holder` and the
 * subject member are always selectively disclosable, as the gateway issues them.
 *
 * @example
 * const tm = typeMetadata('https://anxin.example.cn', 'HealthCertificate');
 * tm.vct; // 'https://anxin.example.cn/vct/v1/HealthCertificate'
 */
export function typeMetadata(publicUrl: string, type: CredentialType) {
  const member = SUBJECT_MEMBER[type];
  const paths = [
    ...[['holder'], ...claimPaths(credentialHolderSchema, ['holder'])],
    ...[[member], ...claimPaths(SUBJECT_SCHEMA_BY_TYPE[type], [member])],
  ];
  const claims: ClaimMetadata[] = paths.map((path) => ({
    path,
    display: display(claimLabels(path) ?? [path.join('.'), path.join('.')], 'label') as ClaimMetadata['display'],
    // The containers are plain claims; their members are the disclosures.
    sd: path.length === 2 ? 'always' : 'never',
  }));
  const vct = vctOf(publicUrl, type);
  return {
    vct,
    name: `Anxin ${type}`,
    description: `${TYPE_NAMES[type][1]} (${TYPE_NAMES[type][0]}), issued as an SD-JWT VC and anchored on the Anxin ledger.`,
    display: display(TYPE_NAMES[type], 'name'),
    claims,
    schema: {
      $schema: JSON_SCHEMA_DIALECT,
      title: `${type} SD-JWT VC payload, every disclosure applied`,
      type: 'object',
      properties: {
        vct: { const: vct },
        iss: { type: 'string' },
        holder: embedded(credentialHolderSchema),
        [member]: embedded(SUBJECT_SCHEMA_BY_TYPE[type]),
      },
      required: ['vct', 'iss'],
    },
  };
}
