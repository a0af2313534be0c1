/**
 * keyValidAtIssue: the signing key as it stood when the credential was signed — the
 * ledger's anchoring time when there is an anchor under its id, else what the credential
 * claims — so a retired key still verifies what it signed before retirement, and a key
 * compromised since T fails what it signed from T on.
 */
import type { IssuerKeyRecord } from '@anxin/schemas';
import type { Fragment } from '../context';

function keyProblem(
  key: IssuerKeyRecord,
  at: string,
): { code: 'key_not_yet_valid' | 'key_retired' | 'key_compromised'; detail: string } | undefined {
  const t = Date.parse(at);
  if (key.revokedAt && t >= Date.parse(key.revokedAt)) {
    return { code: 'key_compromised', detail: `signed at ${at}; key ${key.kid} is compromised since ${key.revokedAt}` };
  }
  if (t < Date.parse(key.notBefore))
    return { code: 'key_not_yet_valid', detail: `signed at ${at}; key valid from ${key.notBefore}` };
  if (key.retiredAt && t >= Date.parse(key.retiredAt)) {
    return { code: 'key_retired', detail: `signed at ${at}; key ${key.kid} was retired at ${key.retiredAt}` };
  }
  return undefined;
}

export const keyWindow: Fragment = ({ r, key, anchor, facts, now }) => {
  const signedAt = anchor?.anchoredAt ?? facts.claimedAt ?? facts.validFrom ?? now.toISOString();
  const problem = keyProblem(key, signedAt);
  if (problem) r.fail('keyValidAtIssue', problem.code, problem.detail);
  else r.pass('keyValidAtIssue');
};
