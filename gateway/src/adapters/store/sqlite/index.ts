/**
 * Store adapter on SQLite (better-sqlite3): the embedded default.
 *
 * One file per aggregate of the port, each with its own statements, over one shared
 * connection (db.ts: opening, pragmas, the group commit that makes writes durable) whose
 * schema migrations.ts creates and upgrades. This class is the whole `Store`: each method
 * hands off to its aggregate.
 */
import type {
  AnchorProjection,
  ApiKeyRecord,
  Checkpoint,
  CredentialRecord,
  HeldCredential,
  CustodialKeyRecord,
  IdempotencyRecord,
  IssuerProjection,
  NonceRecord,
  NonceUse,
  OfferRecord,
  StoredPresentationRequest,
  PrintedCardRecord,
  NotificationOutcome,
  NotificationRecord,
  Principal,
  PruneCounts,
  RetentionCutoffs,
  StatusEntryRecord,
  StatusListSummary,
  Store,
  VerificationLogEntry,
  StoreIdentity,
  WebhookRecord,
  Sealed,
  SealedEntry,
  SealedKind,
} from '../../../ports/store';
import { SqliteApiKeys } from './api-keys';
import { SqliteCredentials } from './credentials';
import { SqliteCustodialKeys } from './custodial-keys';
import { SqliteDb } from './db';
import { SqliteIdempotency } from './idempotency';
import { SqliteIdentity } from './identity';
import { SqliteNonces } from './nonces';
import { SqliteOffers } from './offers';
import { SqlitePresentationRequests } from './presentation-requests';
import { SqlitePrintedCards } from './printed-cards';
import { SqliteNotifications } from './notifications';
import { SqliteProjection } from './projection';
import { SqliteResealing } from './resealing';
import { SqliteRetention } from './retention';
import { SqliteStatusEntries } from './status-entries';
import { SqliteVerificationLog } from './verifications';
import { SqliteWebhooks } from './webhooks';

export { GROUP_COMMIT_MS } from './db';
export { SQLITE_SCHEMA_VERSION } from './migrations';

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: SqliteDb;
  private readonly apiKeys: SqliteApiKeys;
  private readonly custodialKeys: SqliteCustodialKeys;
  private readonly resealing: SqliteResealing;
  private readonly credentials: SqliteCredentials;
  private readonly idempotency: SqliteIdempotency;
  private readonly identity: SqliteIdentity;
  private readonly projection: SqliteProjection;
  private readonly verifications: SqliteVerificationLog;
  private readonly webhooks: SqliteWebhooks;
  private readonly notifications: SqliteNotifications;
  private readonly nonces: SqliteNonces;
  private readonly offers: SqliteOffers;
  private readonly presentationRequests: SqlitePresentationRequests;
  private readonly printedCards: SqlitePrintedCards;
  private readonly retention: SqliteRetention;
  private readonly statusEntries: SqliteStatusEntries;

  /**
   * Opens (creating if needed) the store at `file`; `':memory:'` for a throwaway store.
   * `readonly`: for auditors (anxin replay --store) — the file must exist, nothing is
   * written, no migration is run (a store of an older schema is read as it is: what its
   * version lacks fails when asked for, naming the table).
   *
   * @example
   * const store = new SqliteStore('./data/store.sqlite');
   * await store.putCheckpoint('events', { block: 1, txIndex: 0 });
   */
  constructor(
    readonly file: string,
    options: { readonly?: boolean } = {},
  ) {
    const db = new SqliteDb(file, !!options.readonly);
    try {
      this.apiKeys = new SqliteApiKeys(db);
      this.custodialKeys = new SqliteCustodialKeys(db);
      this.resealing = new SqliteResealing(db);
      this.credentials = new SqliteCredentials(db);
      this.idempotency = new SqliteIdempotency(db);
      this.identity = new SqliteIdentity(db);
      this.projection = new SqliteProjection(db);
      this.verifications = new SqliteVerificationLog(db);
      this.webhooks = new SqliteWebhooks(db);
      this.notifications = new SqliteNotifications(db);
      this.nonces = new SqliteNonces(db);
      this.offers = new SqliteOffers(db);
      this.presentationRequests = new SqlitePresentationRequests(db);
      this.printedCards = new SqlitePrintedCards(db);
      this.retention = new SqliteRetention(db);
      this.statusEntries = new SqliteStatusEntries(db);
      this.statusEntries = new SqliteStatusEntries(db);
    } catch (e) {
      db.close();
      throw e;
    }
    this.db = db;
  }

  // ---- API keys -------------------------------------------------------------------------

  putApiKey(r: ApiKeyRecord): Promise<void> {
    return this.apiKeys.putApiKey(r);
  }

  getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return this.apiKeys.getApiKey(id);
  }

  listApiKeys(principal?: Principal): Promise<ApiKeyRecord[]> {
    return this.apiKeys.listApiKeys(principal);
  }

  // ---- custodial keys -------------------------------------------------------------------

  putCustodialKey(r: CustodialKeyRecord): Promise<void> {
    return this.custodialKeys.putCustodialKey(r);
  }

  getCustodialKey(kid: string): Promise<CustodialKeyRecord | undefined> {
    return this.custodialKeys.getCustodialKey(kid);
  }

  listCustodialKeys(owner: string): Promise<CustodialKeyRecord[]> {
    return this.custodialKeys.listCustodialKeys(owner);
  }

  listSealed(kind: SealedKind, after: string | undefined, limit: number): Promise<SealedEntry[]> {
    return this.resealing.listSealed(kind, after, limit);
  }

  replaceSealed(kind: SealedKind, id: string, expected: Sealed, next: Sealed): Promise<boolean> {
    return this.resealing.replaceSealed(kind, id, expected, next);
  }

  // ---- credentials ----------------------------------------------------------------------

  putCredential(r: CredentialRecord): Promise<void> {
    return this.credentials.putCredential(r);
  }

  createCredential(r: CredentialRecord): Promise<CredentialRecord> {
    return this.credentials.createCredential(r);
  }

  getCredential(id: string): Promise<CredentialRecord | undefined> {
    return this.credentials.getCredential(id);
  }

  credentialsOfHolderKey(jkt: string, limit: number): Promise<HeldCredential[]> {
    return this.credentials.credentialsOfHolderKey(jkt, limit);
  }

  credentialsWithoutHolderKey(limit: number): Promise<CredentialRecord[]> {
    return this.credentials.credentialsWithoutHolderKey(limit);
  }

  setHolderKey(id: string, jkt: string): Promise<void> {
    return this.credentials.setHolderKey(id, jkt);
  }

  // ---- idempotency ----------------------------------------------------------------------

  claimIdempotencyKey(r: IdempotencyRecord): Promise<IdempotencyRecord | undefined> {
    return this.idempotency.claimIdempotencyKey(r);
  }

  takeOverIdempotencyKey(
    principal: string,
    key: string,
    now: string,
    leaseUntil: string,
  ): Promise<IdempotencyRecord | undefined> {
    return this.idempotency.takeOverIdempotencyKey(principal, key, now, leaseUntil);
  }

  completeIdempotencyKey(principal: string, key: string, response: { status: number; body: unknown }): Promise<void> {
    return this.idempotency.completeIdempotencyKey(principal, key, response);
  }

  yieldIdempotencyKey(principal: string, key: string, leaseUntil: string): Promise<void> {
    return this.idempotency.yieldIdempotencyKey(principal, key, leaseUntil);
  }

  releaseIdempotencyKey(principal: string, key: string, leaseUntil?: string): Promise<void> {
    return this.idempotency.releaseIdempotencyKey(principal, key, leaseUntil);
  }

  // ---- what the store belongs to --------------------------------------------------------

  getIdentity(): Promise<StoreIdentity | undefined> {
    return this.identity.getIdentity();
  }

  claimIdentity(identity: StoreIdentity): Promise<StoreIdentity> {
    return this.identity.claimIdentity(identity);
  }

  recordIdentityKek(kek: string): Promise<void> {
    return this.identity.recordIdentityKek(kek);
  }

  // ---- ledger projection ----------------------------------------------------------------

  async putAnchor(p: AnchorProjection, entry?: StatusEntryRecord): Promise<void> {
    if (!entry) return this.projection.putAnchor(p);
    this.db.check();
    this.db.conn.transaction(() => {
      this.projection.putAnchorRow(p);
      this.statusEntries.putEntryRow(entry);
    })();
  }

  getAnchor(id: string): Promise<AnchorProjection | undefined> {
    return this.projection.getAnchor(id);
  }

  expiringAnchors(
    issuer: string,
    from: string,
    to: string,
    limit: number,
    after?: { validUntil: string; id: string },
  ): Promise<AnchorProjection[]> {
    return this.projection.expiringAnchors(issuer, from, to, limit, after);
  }

  putIssuer(p: IssuerProjection): Promise<void> {
    return this.projection.putIssuer(p);
  }

  getIssuer(id: string): Promise<IssuerProjection | undefined> {
    return this.projection.getIssuer(id);
  }

  listIssuers(): Promise<IssuerProjection[]> {
    return this.projection.listIssuers();
  }

  getCheckpoint(name: string): Promise<Checkpoint | undefined> {
    return this.projection.getCheckpoint(name);
  }

  putCheckpoint(name: string, c: Checkpoint): Promise<void> {
    return this.projection.putCheckpoint(name, c);
  }

  // ---- status list entries -------------------------------------------------------------

  putStatusEntry(r: StatusEntryRecord): Promise<void> {
    return this.statusEntries.putStatusEntry(r);
  }

  listStatusEntries(list: string): Promise<StatusEntryRecord[]> {
    return this.statusEntries.listStatusEntries(list);
  }

  statusEntryTaken(list: string, idx: number): Promise<boolean> {
    return this.statusEntries.statusEntryTaken(list, idx);
  }

  statusLists(issuer?: string): Promise<StatusListSummary[]> {
    return this.statusEntries.statusLists(issuer);
  }

  // ---- verification log -----------------------------------------------------------------

  recordVerifications(entries: VerificationLogEntry[]): Promise<void> {
    return this.verifications.recordVerifications(entries);
  }

  verifiersSince(credentialId: string, since: string): Promise<VerificationLogEntry[]> {
    return this.verifications.verifiersSince(credentialId, since);
  }

  verificationsOf(credentialIds: readonly string[], limit: number): Promise<VerificationLogEntry[]> {
    return this.verifications.verificationsOf(credentialIds, limit);
  }

  // ---- webhooks and their outbox --------------------------------------------------------

  putWebhook(r: WebhookRecord): Promise<void> {
    return this.webhooks.putWebhook(r);
  }

  getWebhook(verifier: string): Promise<WebhookRecord | undefined> {
    return this.webhooks.getWebhook(verifier);
  }

  deleteWebhook(verifier: string): Promise<boolean> {
    return this.webhooks.deleteWebhook(verifier);
  }

  enqueueNotifications(n: NotificationRecord[]): Promise<number> {
    return this.notifications.enqueueNotifications(n);
  }

  claimDueNotifications(now: string, limit: number, owner: string, leaseMs: number): Promise<NotificationRecord[]> {
    return this.notifications.claimDueNotifications(now, limit, owner, leaseMs);
  }

  settleNotification(id: string, owner: string, outcome: NotificationOutcome): Promise<boolean> {
    return this.notifications.settleNotification(id, owner, outcome);
  }

  listNotifications(verifier: string, limit: number): Promise<NotificationRecord[]> {
    return this.notifications.listNotifications(verifier, limit);
  }

  countNotifications(): Promise<Record<NotificationRecord['state'], number>> {
    return this.notifications.countNotifications();
  }

  // ---- one-time nonces ------------------------------------------------------------------

  putNonce(r: NonceRecord): Promise<void> {
    return this.nonces.putNonce(r);
  }

  useNonce(q: { nonce: string; purpose: NonceRecord['purpose']; principal?: string }, now: string): Promise<NonceUse> {
    return this.nonces.useNonce(q, now);
  }

  // ---- credential offers ---------------------------------------------------------------

  putOffer(r: OfferRecord): Promise<void> {
    return this.offers.putOffer(r);
  }

  getOffer(id: string): Promise<OfferRecord | undefined> {
    return this.offers.getOffer(id);
  }

  findOffer(q: { codeHash: string } | { tokenHash: string }): Promise<OfferRecord | undefined> {
    return this.offers.findOffer(q);
  }

  countOfferFailure(id: string): Promise<number> {
    return this.offers.countOfferFailure(id);
  }

  redeemOffer(
    id: string,
    redemption: { redeemedAt: string; tokenHash: string; tokenExpiresAt: string },
    maxFailures: number,
  ): Promise<boolean> {
    return this.offers.redeemOffer(id, redemption, maxFailures);
  }

  completeOffer(id: string, credentialId: string): Promise<void> {
    return this.offers.completeOffer(id, credentialId);
  }

  // ---- presentation requests ------------------------------------------------------------

  putPresentationRequest(r: StoredPresentationRequest): Promise<void> {
    return this.presentationRequests.putPresentationRequest(r);
  }

  getPresentationRequest(id: string): Promise<StoredPresentationRequest | undefined> {
    return this.presentationRequests.getPresentationRequest(id);
  }

  countPendingPresentationRequests(now: string): Promise<number> {
    return this.presentationRequests.countPendingPresentationRequests(now);
  }

  answerPresentationRequest(id: string, answer: { answeredAt: string; answer: Sealed }): Promise<boolean> {
    return this.presentationRequests.answerPresentationRequest(id, answer);
  }

  // ---- printed work cards ---------------------------------------------------------------

  putPrintedCard(r: PrintedCardRecord): Promise<void> {
    return this.printedCards.putPrintedCard(r);
  }

  getPrintedCard(id: string): Promise<PrintedCardRecord | undefined> {
    return this.printedCards.getPrintedCard(id);
  }

  revokePrintedCard(id: string, at: string): Promise<boolean> {
    return this.printedCards.revokePrintedCard(id, at);
  }

  // ---- retention ------------------------------------------------------------------------

  prune(c: RetentionCutoffs): Promise<PruneCounts> {
    return this.retention.prune(c);
  }

  // ---- lifecycle ------------------------------------------------------------------------

  async ping(): Promise<boolean> {
    return this.db.ping();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
