/**
 * The token endpoint of the pre-authorized code grant (OpenID4VCI 1.0 §6; RFC 6749 §4, §5):
 * the offer's code and the PIN for a short-lived access token bound to the offer. The code is
 * good once; each wrong PIN is counted, durably, and the fifth kills the offer; a missing PIN
 * is `invalid_request`, a wrong one, a used, expired or killed code `invalid_grant`.
 */
import { randomBytes } from 'node:crypto';
import type { Services } from '../context';
import { OAuthError } from './errors';
import { PRE_AUTHORIZED_GRANT } from './metadata';
import { OFFER_MAX_FAILURES, offerClosed, pinMatches, secretHash } from './offers';

/** How long an access token may be used: the wallet asks for its credential right after. */
export const ACCESS_TOKEN_TTL_S = 300;

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

const CLOSED = {
  expired: 'the offer has expired: ask the issuer for a new one',
  redeemed: 'the pre-authorized code was already used',
  too_many_wrong_pins: 'too many wrong transaction codes: the offer is void; ask the issuer for a new one',
} as const;

/**
 * Exchange a pre-authorized code and its transaction code for an access token.
 *
 * @example
 * const t = await exchangePreAuthorizedCode(s, { grant_type, 'pre-authorized_code': code, tx_code: '493021' });
 */
export async function exchangePreAuthorizedCode(s: Services, form: Record<string, unknown>): Promise<TokenResponse> {
  const grant = form.grant_type;
  if (typeof grant !== 'string' || grant === '') throw new OAuthError('invalid_request', 'grant_type is required');
  if (grant !== PRE_AUTHORIZED_GRANT)
    throw new OAuthError('unsupported_grant_type', `only ${PRE_AUTHORIZED_GRANT} is supported`);
  const code = form['pre-authorized_code'];
  if (typeof code !== 'string' || code === '')
    throw new OAuthError('invalid_request', 'pre-authorized_code is required');
  const offer = await s.store.findOffer({ codeHash: secretHash(code) });
  if (!offer) throw new OAuthError('invalid_grant', 'the pre-authorized code is not known');
  const closed = offerClosed(offer, s.now());
  if (closed) throw new OAuthError('invalid_grant', CLOSED[closed]);
  const pin = form.tx_code;
  if (typeof pin !== 'string' || pin === '')
    throw new OAuthError('invalid_request', 'tx_code (the PIN the issuer told the worker) is required');
  if (!(await pinMatches(offer, pin))) {
    const failures = await s.store.countOfferFailure(offer.id);
    const left = Math.max(0, OFFER_MAX_FAILURES - failures);
    throw new OAuthError(
      'invalid_grant',
      left > 0 ? `wrong transaction code; ${left} attempt(s) left` : CLOSED.too_many_wrong_pins,
      400,
      // So that a wallet can tell a wrong PIN from a used or expired code, and say how many tries are left.
      { attempts_left: left },
    );
  }
  const token = randomBytes(32).toString('base64url');
  const now = s.now();
  const redeemed = await s.store.redeemOffer(
    offer.id,
    {
      redeemedAt: now.toISOString(),
      tokenHash: secretHash(token),
      tokenExpiresAt: new Date(now.getTime() + ACCESS_TOKEN_TTL_S * 1000).toISOString(),
    },
    OFFER_MAX_FAILURES,
  );
  // Another request redeemed it (or killed it, or it expired) since we looked.
  if (!redeemed) throw new OAuthError('invalid_grant', 'the pre-authorized code was already used');
  return { access_token: token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S };
}
