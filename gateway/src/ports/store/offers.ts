/**
 * Credential offers (OpenID4VCI 1.0, pre-authorized code flow): what an issuer offered, kept
 * until the worker's wallet redeems it. The secrets are kept as hashes only (the
 * pre-authorized code, the PIN, the access token); what is to be issued, which names the
 * worker, is sealed. Each change is one conditional update of one record, so two gateways
 * sharing the store never both redeem an offer.
 */
import type { Sealed } from './sealed';

export interface OfferRecord {
  /** Random, public: the last segment of its credential_offer_uri. */
  id: string;
  /** The issuer that made the offer (the principal whose API key asked). */
  issuer: string;
  /** The OpenID4VCI credential configuration id: the credential's type. */
  configurationId: string;
  /** The issuance request, sealed (with the offer id as its associated data). */
  sealed: Sealed;
  /** sha-256 (hex) of the pre-authorized code. */
  codeHash: string;
  /** The PIN's hash: scrypt of the PIN under `pinSalt` (base64url). */
  pinHash: string;
  pinSalt: string;
  createdAt: string;
  expiresAt: string;
  /** Wrong PINs so far. */
  failures: number;
  /** Set once, when the code is exchanged for an access token. */
  redeemedAt?: string;
  /** sha-256 (hex) of the access token given for it. */
  tokenHash?: string;
  tokenExpiresAt?: string;
  /** The credential issued for it, once issued. */
  credentialId?: string;
}

export interface OfferStore {
  /** Record a new offer; an id already recorded is refused (throws). */
  putOffer(r: OfferRecord): Promise<void>;
  getOffer(id: string): Promise<OfferRecord | undefined>;
  /** The offer whose pre-authorized code, or whose access token, hashes to this. */
  findOffer(q: { codeHash: string } | { tokenHash: string }): Promise<OfferRecord | undefined>;
  /** Count one wrong PIN, atomically; the count after it. */
  countOfferFailure(id: string): Promise<number>;
  /**
   * Redeem the offer, atomically and once: only an offer not yet redeemed, unexpired at `now`
   * and with fewer than `maxFailures` wrong PINs. True when this call redeemed it.
   */
  redeemOffer(
    id: string,
    redemption: { redeemedAt: string; tokenHash: string; tokenExpiresAt: string },
    maxFailures: number,
  ): Promise<boolean>;
  /** Name the credential issued for the offer (idempotent). */
  completeOffer(id: string, credentialId: string): Promise<void>;
}
