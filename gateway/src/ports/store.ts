/**
 * The Store port: the gateway's own records and its projection of the ledger. Two
 * adapters implement it — SQLite (embedded default) and MongoDB (mongoose) — and one
 * contract suite runs against both.
 *
 * Every write touches one row/document and is idempotent (an upsert keyed by id, or by
 * block and transaction for the projection), so a crash between two writes is repaired
 * by replaying from the last checkpoint; no multi-document transactions are needed.
 */
import type { AnchorStatus, CredentialType, IssuerRecord, StatusReason } from '@anxin/schemas';

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
}

/** The projection of one anchor: its ledger record plus where it was last changed. */
export interface AnchorProjection {
  id: string;
  type: CredentialType;
  issuer: string;
  kid: string;
  digest: string;
  holderRef: string;
  validFrom: string;
  validUntil?: string;
  status: AnchorStatus;
  statusReason?: StatusReason;
  anchoredAt: string;
  txId: string;
  /** Block of the anchoring transaction. */
  block: number;
  updatedAt: string;
  /** Block and transaction index of the last change applied: an older change never overwrites a newer one. */
  updatedBlock: number;
  updatedTx: number;
}

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
  getCredential(id: string): Promise<CredentialRecord | undefined>;

  /**
   * Claim an idempotency key for a principal: inserts the record if none exists and
   * returns undefined; otherwise returns the existing record untouched.
   */
  claimIdempotencyKey(r: IdempotencyRecord): Promise<IdempotencyRecord | undefined>;
  completeIdempotencyKey(principal: string, key: string, response: { status: number; body: unknown }): Promise<void>;
  /** Forget a claim whose request failed before doing anything, so a retry can run. */
  releaseIdempotencyKey(principal: string, key: string): Promise<void>;

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
  /** Pending notifications due at `now`, the longest-waiting first. */
  dueNotifications(now: string, limit: number): Promise<NotificationRecord[]>;
  updateNotification(n: NotificationRecord): Promise<void>;
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
