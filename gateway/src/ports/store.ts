/**
 * The Store port: the gateway's own records and its projection of the ledger. Two
 * adapters implement it — SQLite (embedded default) and MongoDB (mongoose) — and one
 * contract suite runs against both.
 *
 * Every write touches one row/document and is idempotent (an upsert keyed by id, or by
 * block and transaction for the projection), so a crash between two writes is repaired
 * by replaying from the last checkpoint; no multi-document transactions are needed.
 */
import type { CredentialType, IssuerRecord } from '@anxin/schemas';
import type { AnchorProjection } from '../verify';

export type Scope = 'admin' | 'issue' | 'revoke' | 'verify';
export const SCOPES: readonly Scope[] = ['admin', 'issue', 'revoke', 'verify'];

export type PrincipalType = 'admin' | 'issuer' | 'verifier';

export interface Principal {
  type: PrincipalType;
  /** Issuer id for issuers; a free identifier (e.g. an employer's USCC or name slug) for verifiers; 'admin' for admins. */
  id: string;
}

export interface ApiKeyRecord {
  /** Public key id: the part of the key before the secret (e.g. `ak_3f9c…`). */
  id: string;
  /** SHA-256 of the whole key, hex. The key itself is never stored. */
  hash: string;
  principal: Principal;
  scopes: Scope[];
  label?: string;
  createdAt: string;
  revokedAt?: string;
}

/** AES-256-GCM ciphertext under the key-encryption key. */
export interface Sealed {
  /** base64url */
  iv: string;
  ct: string;
  tag: string;
  /** Which KEK sealed it (its fingerprint), so a rotated KEK is detected instead of silently failing. */
  kek: string;
}

export interface CustodialKeyRecord {
  /** Full JOSE kid: `<issuer id>#<key id>`, `registrar#<key id>` or `gateway#<key id>`. */
  kid: string;
  owner: string;
  alg: 'ES256' | 'EdDSA';
  publicJwk: Record<string, string>;
  /** The private JWK, sealed. */
  sealed: Sealed;
  createdAt: string;
}

export type CredentialFormat = 'vc+jwt' | 'dc+sd-jwt';

export interface CredentialRecord {
  id: string;
  issuer: string;
  type: CredentialType;
  format: CredentialFormat;
  /** The issued credential (JWS or SD-JWT with all disclosures), sealed: it holds personal data. */
  sealed: Sealed;
  digest: string;
  /** The anchor statement (JWS), kept so an interrupted issuance can be completed. */
  anchorStatement: string;
  state: 'pending' | 'anchored';
  anchor?: { txId: string; block: number; anchoredAt: string };
  createdAt: string;
  idempotencyKey?: string;
}

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

/** The projection of one anchor, as verification reads it (the verification core owns its shape). */
export type { AnchorProjection };

export interface IssuerProjection {
  issuer: IssuerRecord;
  updatedBlock: number;
  updatedTx: number;
}

export interface Checkpoint {
  /** Next block to read, and the number of transactions of it already applied. */
  block: number;
  txIndex: number;
}

export interface VerificationLogEntry {
  credentialId: string;
  verifier: string;
  at: string;
  verified: boolean;
}

/** Where a verifier wants to be told when a credential it checked changes status. */
export interface WebhookRecord {
  /** The verifying principal's id. */
  verifier: string;
  url: string;
  createdAt: string;
}

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

/**
 * A one-time nonce the gateway handed out: a verifier's challenge, which a holder's
 * key-binding JWT must carry, or a `c_nonce` (OpenID4VCI's Nonce Endpoint), which a proof of
 * possession of a holder key must carry at issuance. Each is good once, until it expires.
 */
export interface NonceRecord {
  /** The nonce: at least 128 random bits, base64url. Unique across both purposes. */
  nonce: string;
  purpose: NoncePurpose;
  /** Challenges only: who asked for it (`<principal type>:<principal id>`); only they can use it. */
  principal?: string;
  /** Challenges only: the `aud` a key-binding JWT answering it must carry. */
  aud?: string;
  createdAt: string;
  expiresAt: string;
  /** Set once, when it is used. */
  usedAt?: string;
}

export type NoncePurpose = 'challenge' | 'c_nonce';

/** What using a nonce came to: the record it used, or why it could not be used. */
export type NonceUse =
  { ok: true; record: NonceRecord } | { ok: false; why: 'unknown' | 'expired' | 'used' | 'not_yours' };
/** How a delivery attempt ended. */
export type NotificationOutcome =
  | { state: 'delivered'; at: string }
  | {
      /** pending: retried at nextAttemptAt; failed: given up. */
      state: 'pending' | 'failed';
      error: string;
      nextAttemptAt: string;
    };

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
}

/** How many records of each kind a prune deleted. */
export interface PruneCounts {
  verifications: number;
  idempotency: number;
  notifications: number;
  nonces: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'mongodb';

  putApiKey(r: ApiKeyRecord): Promise<void>;
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(principal?: Principal): Promise<ApiKeyRecord[]>;

  putCustodialKey(r: CustodialKeyRecord): Promise<void>;
  getCustodialKey(kid: string): Promise<CustodialKeyRecord | undefined>;
  listCustodialKeys(owner: string): Promise<CustodialKeyRecord[]>;

  putCredential(r: CredentialRecord): Promise<void>;
  /**
   * Record a credential unless one with its id is recorded already; resolves to the
   * recorded one — this one, or the one that was there first (which is left untouched).
   */
  createCredential(r: CredentialRecord): Promise<CredentialRecord>;
  getCredential(id: string): Promise<CredentialRecord | undefined>;

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

  /** Upsert, unless the stored projection was changed at a later (block, tx). */
  putAnchor(p: AnchorProjection): Promise<void>;
  getAnchor(id: string): Promise<AnchorProjection | undefined>;
  putIssuer(p: IssuerProjection): Promise<void>;
  getIssuer(id: string): Promise<IssuerProjection | undefined>;
  listIssuers(): Promise<IssuerProjection[]>;
  getCheckpoint(name: string): Promise<Checkpoint | undefined>;
  putCheckpoint(name: string, c: Checkpoint): Promise<void>;

  /** Record verifications, in one write where the adapter can. The same (credential, verifier, at) is one entry. */
  recordVerifications(entries: VerificationLogEntry[]): Promise<void>;
  /** Distinct verifiers of a credential since an instant, with their latest check. */
  verifiersSince(credentialId: string, since: string): Promise<VerificationLogEntry[]>;

  putWebhook(r: WebhookRecord): Promise<void>;
  getWebhook(verifier: string): Promise<WebhookRecord | undefined>;
  /** True when there was one. */
  deleteWebhook(verifier: string): Promise<boolean>;
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

  /** Record a fresh nonce. A nonce already recorded is refused (throws): nonces are never reused. */
  putNonce(r: NonceRecord): Promise<void>;
  /**
   * Use a nonce, atomically and once: it must exist with this purpose, be unused, not have
   * expired at `now`, and, when `principal` is given, belong to it. Only then is it marked used
   * (durably: a replay after a crash still finds it used). Two concurrent uses: one wins.
   */
  useNonce(q: { nonce: string; purpose: NoncePurpose; principal?: string }, now: string): Promise<NonceUse>;

  /** Delete what the cutoffs say is old; resolves to how many of each went. */
  prune(c: RetentionCutoffs): Promise<PruneCounts>;

  /** Reachable and answering (for /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
