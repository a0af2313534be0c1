/**
 * Telling verifiers. When a credential's status changes on the ledger (suspended, revoked,
 * reinstated: by this gateway or any other writer the projection follows), every verifier
 * who checked it in the last NOTIFY_WINDOW_DAYS and has registered a webhook is sent a POST
 * whose body is a compact JWS signed by the gateway's key (typ anxin-status+jwt; check it
 * against /.well-known/jwks.json). Notifications wait in the store's outbox: a restart loses
 * none, the same change is queued once however often it is seen, and a failed delivery is
 * retried with exponential backoff until it succeeds or maxAttempts is reached.
 *
 * Several gateways may share one store: each notice is leased to one of them before it is
 * sent (a conditional write in the store), so it is sent by one gateway at a time; a gateway
 * that dies holding a lease leaves the notice due again when the lease ends.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import type { AnchorRecord } from '@anxin/schemas';
import type { ChangeAt } from './projection';
import type { NotificationRecord } from '../ports/store';
import type { Services } from './context';
import { recentVerifiers } from './credentials/status';
import type { TrustList } from './trust-list';
import { postNotice } from '../adapters/webhook/post';
import { resolveTarget, systemResolve, type Resolve, type Target } from './webhook-target';

export const NOTIFICATION_TYP = 'anxin-status+jwt';

export interface NotifierOptions {
  /** First retry after this many ms, doubling each attempt (capped at 6 h). */
  retryBaseMs: number;
  maxAttempts: number;
  /** How often the outbox is looked at when nothing kicked it. */
  intervalMs?: number;
  /** One delivery's deadline. */
  timeoutMs?: number;
  /** Deliveries at once. */
  concurrency?: number;
  /** Name resolution, once per delivery: the address connected to is one of those it gave (default: the system's). */
  lookup?: Resolve;
  /** How long a notice is leased for one attempt (default: a minute, far beyond one delivery's deadline). */
  leaseMs?: number;
}

const MAX_BACKOFF_MS = 6 * 3600 * 1000;
const LEASE_MS = 60_000;

export class Notifier {
  /** This notifier's name on the leases it takes. */
  readonly owner = `notifier-${randomUUID()}`;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private unhook?: () => void;

  constructor(
    private readonly s: Services,
    private readonly trustList: TrustList,
    private readonly o: NotifierOptions,
    private readonly onError: (e: unknown, msg: string) => void = () => undefined,
    /** Told of each failed delivery attempt: whether it was the last (the notice is given up). */
    private readonly onDeliveryFailed: (givenUp: boolean) => void = () => undefined,
  ) {}

  /**
   * Queue notices from every change the projection applies, before its checkpoint passes the
   * change (so a crash in between queues them at the next start); call before the projection
   * starts, so that changes made while this gateway was down are seen too. A failure to
   * queue is the projection's to handle: it holds its checkpoint and runs the change again.
   */
  attach(): void {
    this.unhook ??= this.s.projection.onAnchor(async (a, at) => {
      await this.onChange(a, at);
    });
  }

  /** Start delivering. */
  start(): void {
    this.attach();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unhook?.();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Queue one notification per recent verifier with a webhook, for a status change. */
  async onChange(a: AnchorRecord, at: ChangeAt): Promise<number> {
    // The anchoring itself is not a change anyone checked before.
    if (a.status === 'active' && !a.statusReason) return 0;
    const verifiers = await recentVerifiers(this.s, a.id);
    const now = this.s.now().toISOString();
    const out: NotificationRecord[] = [];
    for (const v of verifiers) {
      const hook = await this.s.store.getWebhook(v.verifier);
      if (!hook) continue;
      const id = createHash('sha256').update(`${at.txId}\u0000${v.verifier}`).digest('base64url').slice(0, 32);
      out.push({
        id,
        verifier: v.verifier,
        url: hook.url,
        credentialId: a.id,
        body: await this.sign({
          iss: this.s.publicUrl,
          iat: Math.floor(Date.parse(now) / 1000),
          jti: id,
          aud: v.verifier,
          credentialId: a.id,
          type: a.type,
          status: a.status,
          ...(a.statusReason ? { statusReason: a.statusReason } : {}),
          changedAt: a.updatedAt,
          ledger: { block: at.block, txId: at.txId },
          lastCheckedAt: v.at,
          statusUrl: `${this.s.publicUrl}/v1/credentials/${encodeURIComponent(a.id)}/status`,
        }),
        state: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
      });
    }
    if (!out.length) return 0;
    const added = await this.s.store.enqueueNotifications(out);
    this.schedule(0);
    return added;
  }

  private async sign(payload: object): Promise<string> {
    const key = await this.trustList.key();
    const signer = (await this.s.keys.signer(key.kid))!;
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: signer.alg, kid: key.kid, typ: NOTIFICATION_TYP })
      .sign(signer.privateKey);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.deliverDue()
        .catch((e: unknown) => this.onError(e, 'webhook delivery round failed'))
        .finally(() => {
          this.running = undefined;
          const again = this.again;
          this.again = false;
          this.schedule(again ? 0 : (this.o.intervalMs ?? Math.min(1_000, this.o.retryBaseMs)));
        });
    }, ms);
    this.timer.unref();
  }

  /**
   * Deliver every notification due now, each leased to this notifier first. As many are
   * leased at a time as are sent at once, so that none waits out its lease in a local queue.
   */
  async deliverDue(): Promise<void> {
    const batch = this.o.concurrency ?? 8;
    const leaseMs = this.o.leaseMs ?? Math.max(LEASE_MS, 4 * (this.o.timeoutMs ?? 5_000));
    for (;;) {
      if (this.stopped) return;
      const due = await this.s.store.claimDueNotifications(this.s.now().toISOString(), batch, this.owner, leaseMs);
      await Promise.all(due.map((n) => this.deliver(n)));
      if (due.length < batch) return;
    }
  }

  /** POST one notice to a judged address; undefined when the receiver answered 2xx, else why not. */
  private post(n: NotificationRecord, target: Target): Promise<string | undefined> {
    return postNotice(target, n, this.o.timeoutMs ?? 5_000);
  }

  /** One attempt at a leased notice (its attempts already count this one). */
  private async deliver(n: NotificationRecord): Promise<void> {
    const target = await resolveTarget(n.url, this.o.lookup ?? systemResolve);
    const error = 'problem' in target ? target.problem : await this.post(n, target);
    const now = this.s.now();
    if (!error) {
      await this.s.store.settleNotification(n.id, this.owner, { state: 'delivered', at: now.toISOString() });
      return;
    }
    const backoff = Math.min(MAX_BACKOFF_MS, this.o.retryBaseMs * 2 ** (n.attempts - 1));
    const givenUp = n.attempts >= this.o.maxAttempts;
    this.onDeliveryFailed(givenUp);
    await this.s.store.settleNotification(n.id, this.owner, {
      state: givenUp ? 'failed' : 'pending',
      error: error.slice(0, 300),
      nextAttemptAt: new Date(now.getTime() + backoff).toISOString(),
    });
  }
}
