/**
 * The validity window an anchor may carry, per credential type. The ledger never sees a
 * credential, only its digest, so these bounds are what it can enforce by itself: a
 * health certificate always ends, and lasts at most one year.
 */
import type { CredentialType } from './common';

/** Per type: whether the window must end, and its longest span in calendar years. */
export const VALIDITY_BOUNDS: Readonly<Record<CredentialType, { untilRequired: boolean; maxYears?: number }>> = {
  HealthCertificate: { untilRequired: true, maxYears: 1 },
  SkillCertificate: { untilRequired: false },
  LaborContract: { untilRequired: false },
};

/**
 * Slack on top of `maxYears`. A health certificate's subject may run one year and one day
 * (both dates inclusive), and its credential runs from the first day's start to the last
 * day's end in China's time zone: just under one year and two days at most.
 */
export const VALIDITY_SLACK_DAYS = 2;

/** Why a window is refused: it must end and does not, or it lasts longer than its type allows. */
export interface WindowProblem {
  code: 'untilRequired' | 'maxValidity';
  message: string;
}

/** The latest `validUntil` a credential of `type` valid from `validFrom` may carry; undefined when unbounded. */
export function latestValidUntil(type: CredentialType, validFrom: string): string | undefined {
  const bounds = VALIDITY_BOUNDS[type];
  if (bounds.maxYears === undefined) return undefined;
  const d = new Date(Date.parse(validFrom));
  if (Number.isNaN(d.getTime())) return undefined;
  d.setUTCFullYear(d.getUTCFullYear() + bounds.maxYears);
  return new Date(d.getTime() + VALIDITY_SLACK_DAYS * 86_400_000).toISOString();
}

/**
 * Whether a validity window fits its type's bounds (the order of the two ends is checked
 * elsewhere). Deterministic: the chaincode runs it.
 *
 * @example
 * checkValidityWindow('HealthCertificate', '2026-03-20T00:00:00Z', undefined)?.code // 'untilRequired'
 */
export function checkValidityWindow(
  type: CredentialType,
  validFrom: string,
  validUntil: string | undefined,
): WindowProblem | undefined {
  const bounds = VALIDITY_BOUNDS[type];
  if (validUntil === undefined) {
    return bounds.untilRequired
      ? { code: 'untilRequired', message: `a ${type} must have an end (validUntil)` }
      : undefined;
  }
  const latest = latestValidUntil(type, validFrom);
  if (latest !== undefined && Date.parse(validUntil) > Date.parse(latest)) {
    return {
      code: 'maxValidity',
      message: `a ${type} is valid for at most ${bounds.maxYears} year(s): validUntil must be on or before ${latest}`,
    };
  }
  return undefined;
}
