/**
 * What the store belongs to: the ledger it projects and the key-encryption key its sealed
 * records are sealed under, recorded once at the first start and compared at every start,
 * so a store never runs over another network's ledger or under a key that opens none of it.
 */

/** The store's identity: one record, written once. */
export interface StoreIdentity {
  ledger: {
    /** The channel named in block 0's envelope. */
    channel: string;
    /** Hex SHA-256 of block 0's header: the ledger's identity, as any Fabric tool computes it. */
    genesisHash: string;
  };
  /** The fingerprint of the key-encryption key (`Kek.fingerprint`). */
  kek: string;
  /** When it was recorded (RFC 3339). */
  createdAt: string;
}

export interface IdentityStore {
  getIdentity(): Promise<StoreIdentity | undefined>;
  /**
   * Records `identity` unless the store has one already; returns the one the store holds
   * afterwards (so two gateways starting at once on one store agree on the first).
   */
  claimIdentity(identity: StoreIdentity): Promise<StoreIdentity>;
  /**
   * Records that the store's sealed records are now all under key-encryption key `kek`
   * (the end of `anxin kek rotate`); nothing when the store has no identity yet.
   */
  recordIdentityKek(kek: string): Promise<void>;
}
