/**
 * Job presets: what a kind of job needs to see, as a DCQL query (OpenID4VP 1.0 §6) with a
 * plain-words label for the job and for each field, in Chinese and English. A verifier names
 * a preset; the wallet shows the labels to the worker before she agrees.
 *
 * The fields are the SD-JWT VC's disclosable members (`holder.*` and the type's own group,
 * see `SUBJECT_MEMBER`); "valid today" is not a field but what the verification checks
 * (validity and status), so a preset asks for the validity dates only to show them.
 */
import { SUBJECT_MEMBER, vctOf, type CredentialType, type DcqlQuery, type PresentationPreset } from '@anxin/schemas';
import { VCT_BASE } from '../../verify';

/** A field in plain words, by its claims path. */
export interface FieldLabel {
  path: [string, string];
  zh: string;
  en: string;
}

interface PresetCredential {
  /** The DCQL credential query id: the key of its presentation in the vp_token. */
  id: string;
  type: CredentialType;
  fields: FieldLabel[];
}

export interface JobPreset {
  id: PresentationPreset;
  label: { zh: string; en: string };
  credentials: PresetCredential[];
}

const NAME: FieldLabel = { path: ['holder', 'name'], zh: '姓名', en: 'Name' };

/** The presets, by id. */
export const JOB_PRESETS: Readonly<Record<PresentationPreset, JobPreset>> = {
  food_service_shift: {
    id: 'food_service_shift',
    label: { zh: '餐饮服务上岗', en: 'Food service shift' },
    credentials: [
      {
        id: 'health',
        type: 'HealthCertificate',
        fields: [
          NAME,
          {
            path: ['healthCertificate', 'categories'],
            zh: '健康证适用行业',
            en: 'Trades the health certificate covers',
          },
          { path: ['healthCertificate', 'validity'], zh: '健康证有效期', en: 'Health certificate valid from / until' },
        ],
      },
    ],
  },
  construction_site: {
    id: 'construction_site',
    label: { zh: '建筑工地上岗', en: 'Construction site' },
    credentials: [
      {
        id: 'skill',
        type: 'SkillCertificate',
        fields: [
          NAME,
          { path: ['skillCertificate', 'occupation'], zh: '职业（工种）', en: 'Occupation' },
          { path: ['skillCertificate', 'level'], zh: '技能等级', en: 'Skill level' },
        ],
      },
    ],
  },
  contract_check: {
    id: 'contract_check',
    label: { zh: '劳动合同核验', en: 'Contract check' },
    credentials: [
      {
        id: 'contract',
        type: 'LaborContract',
        fields: [
          NAME,
          { path: ['laborContract', 'employer'], zh: '用人单位', en: 'Employer' },
          { path: ['laborContract', 'contractType'], zh: '合同类型', en: 'Contract type' },
          { path: ['laborContract', 'term'], zh: '合同期限', en: 'Contract term' },
        ],
      },
    ],
  },
};

/** The `vct` values a credential of `type` from this gateway may carry: today's, and the older form. */
export function vctValuesOf(publicUrl: string, type: CredentialType): string[] {
  return [vctOf(publicUrl, type), `${VCT_BASE}${type}`];
}

/** The type a `vct` names, when it is one of this gateway's. */
export function typeOfVct(publicUrl: string, vct: string): CredentialType | undefined {
  return (Object.keys(SUBJECT_MEMBER) as CredentialType[]).find((t) => vctValuesOf(publicUrl, t).includes(vct));
}

/**
 * A preset's DCQL query: one credential query per credential, format `dc+sd-jwt`, the
 * type's `vct` values, and exactly the preset's fields as claims.
 *
 * @example
 * dcqlOfPreset('https://anxin.example.cn', JOB_PRESETS.food_service_shift).credentials[0].claims;
 * // [{ path: ['holder', 'name'] }, { path: ['healthCertificate', 'categories'] }, …]
 */
export function dcqlOfPreset(publicUrl: string, preset: JobPreset): DcqlQuery {
  return {
    credentials: preset.credentials.map((c) => ({
      id: c.id,
      format: 'dc+sd-jwt' as const,
      meta: { vct_values: vctValuesOf(publicUrl, c.type) },
      claims: c.fields.map((f) => ({ path: [...f.path] })),
    })),
  };
}

/** Plain words for a claims path of a query of the verifier's own: the preset's label when one has it. */
export function labelOf(path: readonly string[]): { zh: string; en: string } {
  for (const p of Object.values(JOB_PRESETS))
    for (const c of p.credentials)
      for (const f of c.fields) if (f.path.join('.') === path.join('.')) return { zh: f.zh, en: f.en };
  return { zh: path.join('.'), en: path.join('.') };
}
