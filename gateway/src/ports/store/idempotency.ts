/** Idempotency claims: one request per (principal, key), its response kept for retries, held under a lease. */

export interface IdempotencyRecord {
  principal: string;
  key: string;
  /** SHA-256 of the request (method, path, body) that first used the key. */
  requestHash: string;
  /** Set once the request completed. */
  response?: { status: number; body: unknown };
  /** What the request is about, e.g. the credential id it issues. */
  resource?: string;
  createdAt: string;
  /**
   * Until when the request holding an open claim may still be working on it (RFC 3339).
   * Once it has passed, the holder is presumed gone (crashed) and a retry may take the
   * claim over. Absent on completed claims, and on open claims written before claims had
   * leases (those may be taken over at once).
   */
  leaseUntil?: string;
}

export interface IdempotencyStore {
  /**
   * Claim an idempotency key for a principal: inserts the record if none exists and
   * returns undefined; otherwise returns the existing record untouched.
   */
  claimIdempotencyKey(r: IdempotencyRecord): Promise<IdempotencyRecord | undefined>;
  /**
   * Take over an open claim whose lease has ended by `now` (or that has none): in one
   * conditional write, give it a new lease until `leaseUntil` and resolve to it as now
   * stored. Resolves to undefined when the claim is completed, released, or still leased
   * (by its holder, or by another retry that took it over first): of two concurrent
   * takers, one wins.
   */
  takeOverIdempotencyKey(
    principal: string,
    key: string,
    now: string,
    leaseUntil: string,
  ): Promise<IdempotencyRecord | undefined>;
  /** Store the response of a claim (open or taken over) and end its lease. */
  completeIdempotencyKey(principal: string, key: string, response: { status: number; body: unknown }): Promise<void>;
  /**
   * End the lease of an open claim, still under `leaseUntil`, without forgetting it: its
   * request stopped with the outcome unknown (e.g. the ledger did not answer), so a retry
   * may take it over at once and finish what was recorded.
   */
  yieldIdempotencyKey(principal: string, key: string, leaseUntil: string): Promise<void>;
  /**
   * Forget an open claim whose request failed before doing anything, so a retry can run.
   * With `leaseUntil`, only the claim still under that lease is forgotten: a holder whose
   * claim was taken over meanwhile does not release its taker's.
   */
  releaseIdempotencyKey(principal: string, key: string, leaseUntil?: string): Promise<void>;
}
