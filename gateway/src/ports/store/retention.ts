/** Retention: what the store deletes once it is old enough (see services/retention). */

/** What is old enough to go: each kind's records from before its instant. */
export interface RetentionCutoffs {
  /** Verification log entries checked before this instant. */
  verifications: string;
  /** Completed idempotency claims made before this instant (claims still in progress stay). */
  idempotency: string;
  /** Delivered or given-up notifications queued before this instant (pending ones stay). */
  notifications: string;
  /** Nonces (challenges, c_nonces) that expired before this instant, used or not. */
  nonces: string;
  /**
   * Credential offers that expired before this instant, redeemed or not: each holds, sealed,
   * what names a worker. Left alone when absent.
   */
  offers?: string;
  /**
   * Presentation requests that expired before this instant, answered or not: an answer holds,
   * sealed, what a worker disclosed. Left alone when absent.
   */
  presentationRequests?: string;
}

/** How many records of each kind a prune deleted. */
export interface PruneCounts {
  verifications: number;
  idempotency: number;
  notifications: number;
  nonces: number;
  /** Present when `offers` was given. */
  offers?: number;
  /** Present when `presentationRequests` was given. */
  presentationRequests?: number;
}

export interface RetentionStore {
  /** Delete what the cutoffs say is old; resolves to how many of each went. */
  prune(c: RetentionCutoffs): Promise<PruneCounts>;
}
