/**
 * issuerTrusted: the issuer the credential claims is the one whose key signed it, and it
 * was in good standing when the ledger anchored the credential (without a matching anchor:
 * now). Suspension stops new issuance only; a revocation fails what was anchored from its
 * `revokedSince` on.
 */
import type { IssuerRecord } from '@anxin/schemas';
import type { Context, Fragment } from '../context';
import type { AuthorityJudgement } from '../report';

function judgement(
  issuer: IssuerRecord,
  anchoredAt: string | undefined,
  now: Date,
): (rule: AuthorityJudgement['rule']) => AuthorityJudgement {
  const judgedAt = anchoredAt ?? now.toISOString();
  return (rule) => ({
    judgedAt,
    basis: anchoredAt ? 'anchoredAt' : 'checkedAt',
    rule,
    issuer: {
      status: issuer.status,
      ...(issuer.suspendedAt ? { suspendedAt: issuer.suspendedAt } : {}),
      ...(issuer.revokedSince ? { revokedSince: issuer.revokedSince } : {}),
    },
  });
}

function judgeStanding({ r, issuer, facts, proof, now }: Context): AuthorityJudgement {
  const anchoredAt = proof?.anchoredAt;
  const judged = judgement(issuer, anchoredAt, now);
  if (facts.issuerId !== issuer.id) {
    r.fail('issuerTrusted', 'issuer_mismatch', `signed by ${issuer.id}'s key but claims issuer ${facts.issuerId}`);
    return judged(issuer.status === 'active' ? 'issuer_active' : `issuer_${issuer.status}`);
  }
  switch (issuer.status) {
    case 'active':
      r.pass('issuerTrusted');
      return judged('issuer_active');
    case 'suspended':
      if (anchoredAt) {
        r.pass('issuerTrusted');
        return judged('anchored_before_suspension');
      }
      r.fail(
        'issuerTrusted',
        'issuer_suspended',
        `issuer ${issuer.id} is suspended${issuer.suspendedAt ? ` since ${issuer.suspendedAt}` : ''}, and no anchor shows it issued this before (rule issuer_suspended)`,
      );
      return judged('issuer_suspended');
    case 'revoked': {
      const since = issuer.revokedSince;
      if (anchoredAt && since && Date.parse(anchoredAt) < Date.parse(since)) {
        r.pass('issuerTrusted');
        return judged('anchored_before_revocation');
      }
      const rule = anchoredAt ? 'anchored_after_revocation' : 'issuer_revoked';
      r.fail(
        'issuerTrusted',
        'issuer_revoked',
        anchoredAt
          ? `issuer ${issuer.id} is revoked since ${since ?? 'its registration'}; this was anchored at ${anchoredAt} (rule ${rule})`
          : `issuer ${issuer.id} is revoked${since ? ` since ${since}` : ''}, and no anchor shows it issued this before (rule ${rule})`,
      );
      return judged(rule);
    }
  }
}

export const issuer: Fragment = (c) => {
  c.authority = judgeStanding(c);
};
