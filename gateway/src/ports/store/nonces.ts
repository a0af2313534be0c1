/** One-time nonces: verifiers' challenges and OpenID4VCI c_nonces, each good once until it expires. */

/**
 * A one-time nonce the gateway handed out: a verifier's challenge, which a holder's
 * key-binding JWT must carry, or a `c_nonce` (OpenID4VCI's Nonce Endpoint), which a proof of
 * possession of a holder key must carry at issuance. Each is good once, until it expires.
 */
export interface NonceRecord {
  /** The nonce: at least 128 random bits, base64url. Unique across both purposes. */
  nonce: string;
  purpose: NoncePurpose;
  /** Challenges only: who asked for it (`<principal type>:<principal id>`); only they can use it. */
  principal?: string;
  /** Challenges only: the `aud` a key-binding JWT answering it must carry. */
  aud?: string;
  createdAt: string;
  expiresAt: string;
  /** Set once, when it is used. */
  usedAt?: string;
}

export type NoncePurpose = 'challenge' | 'c_nonce' | 'holder';

/** What using a nonce came to: the record it used, or why it could not be used. */
export type NonceUse =
  { ok: true; record: NonceRecord } | { ok: false; why: 'unknown' | 'expired' | 'used' | 'not_yours' };

export interface NonceStore {
  /** Record a fresh nonce. A nonce already recorded is refused (throws): nonces are never reused. */
  putNonce(r: NonceRecord): Promise<void>;
  /**
   * Use a nonce, atomically and once: it must exist with this purpose, be unused, not have
   * expired at `now`, and, when `principal` is given, belong to it. Only then is it marked used
   * (durably: a replay after a crash still finds it used). Two concurrent uses: one wins.
   */
  useNonce(q: { nonce: string; purpose: NoncePurpose; principal?: string }, now: string): Promise<NonceUse>;
}
