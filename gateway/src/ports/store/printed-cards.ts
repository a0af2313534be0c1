/** Printed work cards: each names one credential and the members printed, behind a per-card secret. */

/**
 * A printed work card. Its QR code is a short link carrying the card's id and a random
 * secret; only the secret's SHA-256 is kept, so a copy of the store cannot print a card.
 */
export interface PrintedCardRecord {
  /** Random, base64url: names the card in its link. */
  id: string;
  credentialId: string;
  /** The issuer that printed it (urn). */
  issuer: string;
  /** SHA-256 of the card's secret, lowercase hex. */
  secretHash: string;
  /** The members printed, as `group.member` paths. */
  disclose: string[];
  createdAt: string;
  /** Set once, when the issuer withdraws the card: its link no longer verifies. */
  revokedAt?: string;
}

export interface PrintedCardStore {
  /** Record a new card; an id already recorded is refused (throws). */
  putPrintedCard(r: PrintedCardRecord): Promise<void>;
  getPrintedCard(id: string): Promise<PrintedCardRecord | undefined>;
  /** Withdraw a card at `at`; false when there is no such card. A card withdrawn stays withdrawn (its first time kept). */
  revokePrintedCard(id: string, at: string): Promise<boolean>;
}
