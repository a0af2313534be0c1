/**
 * Retention: the store keeps what it needs and no more. Every hour (and shortly after
 * start) it deletes verification log entries older than the window in which verifiers
 * are told of a change (NOTIFY_WINDOW_DAYS, plus a day), completed idempotency claims
 * older than IDEMPOTENCY_DAYS (a retry after that is a new request), and notifications
 * delivered or given up more than NOTIFICATION_DAYS ago, and one-time nonces (verifiers'
 * challenges, c_nonces) once they have expired: used or not, they can no longer be used;
 * credential offers, which hold sealed what names a worker, a day after they expired;
 * presentation requests, whose answers hold sealed what a worker disclosed, once no gateway
 * shows them any more.
 * Claims still in progress and notifications still pending are never deleted. Nothing on
 * the ledger is touched.
 */
import type { PruneCounts, RetentionCutoffs, RetentionStore } from '../ports/store';
import { NOTIFY_WINDOW_DAYS } from './credentials/status';
import { CHALLENGE_TTL_S } from './nonces';

export const IDEMPOTENCY_DAYS = 7;
export const NOTIFICATION_DAYS = 30;
const DAY = 24 * 3600 * 1000;

export interface RetentionRun {
  at: string;
  deleted: PruneCounts;
}

export class Retention {
  private timer?: NodeJS.Timeout;
  private running?: Promise<RetentionRun | undefined>;

  constructor(
    private readonly store: RetentionStore,
    private readonly now: () => Date,
    private readonly onRun: (r: RetentionRun) => void = () => undefined,
    private readonly onError: (e: unknown) => void = () => undefined,
    private readonly everyMs = 3600 * 1000,
  ) {}

  /** The instants before which each kind of record goes, at `t`. */
  static cutoffs(t: Date): RetentionCutoffs {
    const before = (days: number) => new Date(t.getTime() - days * DAY).toISOString();
    return {
      verifications: before(NOTIFY_WINDOW_DAYS + 1),
      idempotency: before(IDEMPOTENCY_DAYS),
      notifications: before(NOTIFICATION_DAYS),
      nonces: t.toISOString(),
      // A day after they expired: long past any access token given for them.
      offers: before(1),
      // Once no gateway shows them any more (CHALLENGE_TTL_S after their expiry).
      presentationRequests: new Date(t.getTime() - CHALLENGE_TTL_S * 1000).toISOString(),
    };
  }

  /** One pass now (a pass already under way is waited for instead). */
  runOnce(): Promise<RetentionRun | undefined> {
    this.running ??= (async () => {
      try {
        const t = this.now();
        const r = { at: t.toISOString(), deleted: await this.store.prune(Retention.cutoffs(t)) };
        this.onRun(r);
        return r;
      } catch (e) {
        this.onError(e);
        return undefined;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** A first pass after `firstMs`, then one every `everyMs`. */
  start(firstMs = 60_000): void {
    const tick = (ms: number) => {
      this.timer = setTimeout(() => {
        void this.runOnce().finally(() => tick(this.everyMs));
      }, ms);
      this.timer.unref();
    };
    tick(firstMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
