/**
 * The outbox of status-change notifications to verifiers' webhooks: each notice is leased
 * to one gateway at a time, so gateways sharing the store never both send it.
 */

/** One status change to deliver to one verifier's webhook: an outbox row. */
export interface NotificationRecord {
  /** Stable per (status-changing transaction, verifier): the same change is queued once. */
  id: string;
  verifier: string;
  url: string;
  credentialId: string;
  /** What is POSTed: a compact JWS signed by the gateway key. */
  body: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  /** When the next attempt is due (pending), RFC 3339. */
  nextAttemptAt: string;
  createdAt: string;
  lastError?: string;
  deliveredAt?: string;
}

/** How a delivery attempt ended. */
export type NotificationOutcome =
  | { state: 'delivered'; at: string }
  | {
      /** pending: retried at nextAttemptAt; failed: given up. */
      state: 'pending' | 'failed';
      error: string;
      nextAttemptAt: string;
    };

export interface NotificationStore {
  /** Queue notifications; an id already queued is left as it is. Resolves to how many were new. */
  enqueueNotifications(n: NotificationRecord[]): Promise<number>;
  /**
   * Lease up to `limit` pending notifications due at `now` (the longest-waiting first) to
   * `owner` for `leaseMs`, counting one more attempt on each, in conditional writes: a
   * notification is leased to one owner at a time, so gateways sharing the store never
   * both send it. A leased notification is next due when its lease ends (should its owner
   * never report). Resolves to the leased notifications, as now stored.
   */
  claimDueNotifications(now: string, limit: number, owner: string, leaseMs: number): Promise<NotificationRecord[]>;
  /**
   * Record how an attempt went; resolves to whether it was recorded. `delivered` is
   * recorded over any state but delivered (a delivery is a fact, whoever reports it); a
   * failure only by the owner of the current lease of a pending notification, so a late
   * report never turns a delivered notification back, nor overwrites a later attempt's.
   */
  settleNotification(id: string, owner: string, outcome: NotificationOutcome): Promise<boolean>;
  /** A verifier's notifications, newest first. */
  listNotifications(verifier: string, limit: number): Promise<NotificationRecord[]>;
  /** How many notifications the outbox holds in each state (every state present, 0 when none). */
  countNotifications(): Promise<Record<NotificationRecord['state'], number>>;
}
