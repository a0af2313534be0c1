/**
 * Telling verifiers. When a credential's status changes on the ledger (suspended, revoked,
 * reinstated: by this gateway or any other writer the projection follows), every verifier
 * who checked it in the last NOTIFY_WINDOW_DAYS and has registered a webhook is sent a POST
 * whose body is a compact JWS signed by the gateway's key (typ anxin-status+jwt; check it
 * against /.well-known/jwks.json). Notifications wait in the store's outbox: a restart loses
 * none, the same change is queued once however often it is seen, and a failed delivery is
 * retried with exponential backoff until it succeeds or maxAttempts is reached.
 */
import { createHash } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { CompactSign } from 'jose';
import type { AnchorRecord } from '@anxin/schemas';
import type { ChangeAt } from './projection';
import type { NotificationRecord } from '../ports/store';
import type { Services } from './context';
import { recentVerifiers } from './credentials/status';
import type { TrustList } from './trust-list';

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
  /** Name resolution for the internal-address check (default: the system's, as fetch uses). */
  lookup?: (host: string) => Promise<string[]>;
}

const systemLookup = async (host: string): Promise<string[]> =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

const MAX_BACKOFF_MS = 6 * 3600 * 1000;
const BATCH = 100;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Addresses a webhook must not name (private, link-local — cloud metadata lives there —,
 * shared, multicast, reserved): the gateway would otherwise POST into its own network for
 * whoever holds a verify key. Host names are not resolved here.
 */
function internalAddress(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIPv4(h)) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (isIPv6(h)) {
    // IPv4-mapped (::ffff:a.b.c.d, which URL writes as ::ffff:XXXX:XXXX): judged as the IPv4 address.
    const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (dotted) return internalAddress(dotted[1]!);
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
    if (hex) {
      const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
      return internalAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
    }
    return h === '::' || h === '::1' || /^f[cd]/.test(h) || /^fe[89ab]/.test(h) || /^ff/.test(h);
  }
  return false;
}

/** An http(s) URL a webhook may have: https to a public host, or http to this machine only; no credentials in it. */
export function webhookUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.hash) return 'must not have a fragment';
  const loopback = LOOPBACK.has(url.hostname);
  if (url.protocol === 'http:' && loopback) return undefined;
  if (url.protocol !== 'https:') return 'must be https (plain http only to this machine: localhost, 127.0.0.1, [::1])';
  if (!loopback && internalAddress(url.hostname)) return 'must not name a private, link-local or reserved address';
  return undefined;
}

export class Notifier {
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
  ) {}

  /**
   * Queue notices from every change the projection applies, before its checkpoint passes the
   * change (so a crash in between queues them at the next start); call before the projection
   * starts, so that changes made while this gateway was down are seen too.
   */
  attach(): void {
    this.unhook ??= this.s.projection.onAnchor((a, at) =>
      this.onChange(a, at).then(
        () => undefined,
        (e: unknown) => this.onError(e, 'queueing webhook notifications failed'),
      ),
    );
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

  /** Deliver every notification due now, a few at a time. */
  async deliverDue(): Promise<void> {
    for (;;) {
      const due = await this.s.store.dueNotifications(this.s.now().toISOString(), BATCH);
      if (!due.length || this.stopped) return;
      const queue = [...due];
      await Promise.all(
        Array.from({ length: Math.min(this.o.concurrency ?? 8, queue.length) }, async () => {
          for (let n = queue.shift(); n; n = queue.shift()) await this.deliver(n);
        }),
      );
      if (due.length < BATCH) return;
    }
  }

  /**
   * Why a webhook's host must not be posted to now: a name that resolves to a private,
   * link-local or reserved address (checked at each delivery; names are not resolved when a
   * webhook is set). Loopback URLs, allowed on purpose, are not resolved.
   */
  private async hostProblem(raw: string): Promise<string | undefined> {
    const { hostname } = new URL(raw);
    if (LOOPBACK.has(hostname) || isIPv4(hostname) || hostname.startsWith('[')) return undefined;
    let addresses: string[];
    try {
      addresses = await (this.o.lookup ?? systemLookup)(hostname);
    } catch (e) {
      return `cannot resolve ${hostname}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    }
    const bad = addresses.find((a) => internalAddress(a));
    return bad ? `${hostname} resolves to ${bad}, a private, link-local or reserved address` : undefined;
  }

  /** POST one notice; undefined when the receiver answered 2xx, else why not. */
  private async post(n: NotificationRecord): Promise<string | undefined> {
    try {
      const res = await fetch(n.url, {
        method: 'POST',
        headers: { 'content-type': 'application/jwt', 'user-agent': 'anxin-gateway', 'x-anxin-notification': n.id },
        body: n.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 5_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status <= 299 ? undefined : `HTTP ${res.status}`;
    } catch (e) {
      return (e as Error).name === 'TimeoutError' ? 'timed out' : (e as Error).message;
    }
  }

  private async deliver(n: NotificationRecord): Promise<void> {
    const error = (await this.hostProblem(n.url)) ?? (await this.post(n));
    const now = this.s.now();
    const attempts = n.attempts + 1;
    if (!error) {
      const { lastError: _drop, ...rest } = n;
      await this.s.store.updateNotification({ ...rest, state: 'delivered', attempts, deliveredAt: now.toISOString() });
      return;
    }
    const backoff = Math.min(MAX_BACKOFF_MS, this.o.retryBaseMs * 2 ** (attempts - 1));
    await this.s.store.updateNotification({
      ...n,
      attempts,
      lastError: error.slice(0, 300),
      state: attempts >= this.o.maxAttempts ? 'failed' : 'pending',
      nextAttemptAt: new Date(now.getTime() + backoff).toISOString(),
    });
  }
}
