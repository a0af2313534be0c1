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
/** The typ of an issuer's notice that one of its credentials expires soon. */
export const EXPIRING_TYP = 'anxin-expiring+jwt';

/**
 * The windows an issuer is told of, as bands before validUntil: once when a credential is 30
 * to 7 days from its end, once more within its last 7 days.
 */
export const EXPIRY_BANDS_DAYS = [
  { days: 30, from: 7 },
  { days: 7, from: 0 },
] as const;
/** How often (by the gateway's clock) the issuers' credentials are looked at for the bands. */
export const EXPIRY_SWEEP_MS = 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/**
 * Whose a webhook is, as the store keys it: a verifier by its id (as always), an issuer apart
 * from any verifier that might share its id.
 */
export function webhookOwner(p: { type: string; id: string }): string {
  return p.type === 'verifier' ? p.id : `${p.type}:${p.id}`;
}

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
  private lastExpirySweep = Number.NEGATIVE_INFINITY;

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

  /**
   * Queue, for each issuer with a webhook, one notice per credential that has entered an
   * expiry band (EXPIRY_BANDS_DAYS) — active, not renewed. The notice's id is fixed by the
   * credential and the band, and the outbox keeps an id once: a credential is told of once per
   * band, across sweeps and restarts. Resolves to how many notices were new.
   */
  async sweepExpiring(): Promise<number> {
    const now = this.s.now();
    let added = 0;
    for (const issuerId of [...this.s.projection.issuers.keys()]) {
      const owner = webhookOwner({ type: 'issuer', id: issuerId });
      const hook = await this.s.store.getWebhook(owner);
      if (!hook) continue;
      for (const band of EXPIRY_BANDS_DAYS) {
        const from = new Date(now.getTime() + band.from * DAY_MS).toISOString();
        const to = new Date(now.getTime() + band.days * DAY_MS).toISOString();
        let after: { validUntil: string; id: string } | undefined;
        for (;;) {
          const page = await this.s.store.expiringAnchors(issuerId, from, to, 200, after);
          const out: NotificationRecord[] = [];
          for (const a of page) {
            const id = createHash('sha256')
              .update(`expiring\u0000${band.days}\u0000${a.id}`)
              .digest('base64url')
              .slice(0, 32);
            out.push({
              id,
              verifier: owner,
              url: hook.url,
              credentialId: a.id,
              body: await this.sign(
                {
                  iss: this.s.publicUrl,
                  iat: Math.floor(now.getTime() / 1000),
                  jti: id,
                  aud: issuerId,
                  event: 'expiring',
                  withinDays: band.days,
                  credentialId: a.id,
                  type: a.type,
                  validUntil: a.validUntil,
                  statusUrl: `${this.s.publicUrl}/v1/credentials/${encodeURIComponent(a.id)}/status`,
                },
                EXPIRING_TYP,
              ),
              state: 'pending',
              attempts: 0,
              nextAttemptAt: now.toISOString(),
              createdAt: now.toISOString(),
            });
          }
          if (out.length) added += await this.s.store.enqueueNotifications(out);
          if (page.length < 200) break;
          const last = page[page.length - 1]!;
          after = { validUntil: last.validUntil!, id: last.id };
        }
      }
    }
    return added;
  }

  private async sign(payload: object, typ = NOTIFICATION_TYP): Promise<string> {
    const key = await this.trustList.key();
    const signer = (await this.s.keys.signer(key.kid))!;
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: signer.alg, kid: key.kid, typ })
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
    // Now and then (by the gateway's clock, which tests move), what entered an expiry band is queued first.
    const t = this.s.now().getTime();
    if (t - this.lastExpirySweep >= EXPIRY_SWEEP_MS || t < this.lastExpirySweep) {
      this.lastExpirySweep = t;
      // A sweep that fails is tried again at the next one; the notices already queued go out regardless.
      await this.sweepExpiring().catch((e: unknown) => this.onError(e, 'expiry sweep failed'));
    }
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
