/**
 * notExpired and notBefore: the check's instant is inside the validity window — the
 * anchor's when it is of exactly this credential, else the credential's own claim.
 */
import type { Fragment } from '../context';

export const validity: Fragment = ({ r, anchor, facts, now }) => {
  const matched = r.ok('digestMatches') ? anchor : undefined;
  const validFrom = matched?.validFrom ?? facts.validFrom;
  const validUntil = matched?.validUntil ?? facts.validUntil;
  if (validUntil && now.getTime() >= Date.parse(validUntil))
    r.fail('notExpired', 'expired', `expired at ${validUntil}`);
  else r.pass('notExpired');
  if (validFrom && now.getTime() < Date.parse(validFrom))
    r.fail('notBefore', 'not_yet_valid', `valid from ${validFrom}`);
  else r.pass('notBefore');
};
