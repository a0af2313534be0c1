/**
 * digestMatches: the anchor under the credential's id is of exactly this credential — its
 * digest, issuer, type and key — and its validity window is the one signed. Skipped without
 * an anchor.
 */
import type { AnchorProjection } from '../anchor';
import type { Fragment } from '../context';
import type { Facts } from '../facts';

const wholeSeconds = (t: string | undefined) => (t === undefined ? undefined : Math.floor(Date.parse(t) / 1000));

/**
 * How the anchored window differs from the signed credential's, to the second (an SD-JWT
 * carries nbf/exp in seconds); undefined when it does not.
 */
function windowDifference(anchor: AnchorProjection, facts: Facts): string | undefined {
  const [af, au, cf, cu] = [anchor.validFrom, anchor.validUntil, facts.validFrom, facts.validUntil].map(wholeSeconds);
  if (af !== cf) return `anchored valid from ${anchor.validFrom}; the credential says ${facts.validFrom ?? 'nothing'}`;
  if (au !== cu)
    return `anchored valid until ${anchor.validUntil ?? 'no end'}; the credential says ${facts.validUntil ?? 'no end'}`;
  return undefined;
}

export const digest: Fragment = ({ r, anchor, digest, issuer, facts, kid }) => {
  if (!anchor) return;
  const window = windowDifference(anchor, facts);
  if (digest !== anchor.digest) {
    r.fail('digestMatches', 'digest_mismatch', 'the credential differs from the one anchored under its id');
  } else if (anchor.issuer !== issuer.id || anchor.type !== facts.type || anchor.kid !== kid) {
    r.fail('digestMatches', 'anchor_mismatch', 'the anchor names another issuer, type or key');
  } else if (window) {
    // The anchor never lengthens (nor shifts) what the signed credential says.
    r.fail('digestMatches', 'validity_mismatch', window);
  } else {
    r.pass('digestMatches');
  }
};
