/**
 * Store adapter on MongoDB through mongoose 9.
 *
 * One model per collection (models.ts) on the store's own connection (db.ts), unique
 * indexes on every natural key, and only single-document operations: no multi-document
 * transaction, no change stream, so any deployment (standalone, replica set, sharded)
 * serves. One file per aggregate of the port; mappers.ts turns records into documents and
 * back. This class is the whole `Store`: each method hands off to its aggregate.
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
import { MongoApiKeys } from './api-keys';
import { MongoCredentials } from './credentials';
import { MongoCustodialKeys } from './custodial-keys';
import { MongoDb, type MongoStoreOptions } from './db';
import { MongoIdempotency } from './idempotency';
import { MongoIdentity } from './identity';
import { MongoNonces } from './nonces';
import { MongoOffers } from './offers';
import { MongoPresentationRequests } from './presentation-requests';
import { MongoPrintedCards } from './printed-cards';
import { MongoNotifications } from './notifications';
import { MongoProjection } from './projection';
import { MongoResealing } from './resealing';
import { MongoRetention } from './retention';
import { MongoStatusEntries } from './status-entries';
import { MongoVerificationLog } from './verifications';
import { MongoWebhooks } from './webhooks';

export type { MongoStoreOptions } from './db';

export class MongoStore implements Store {
  readonly kind = 'mongodb' as const;
  private readonly apiKeys: MongoApiKeys;
  private readonly custodialKeys: MongoCustodialKeys;
  private readonly resealing: MongoResealing;
  private readonly credentials: MongoCredentials;
  private readonly idempotency: MongoIdempotency;
  private readonly identity: MongoIdentity;
  private readonly projection: MongoProjection;
  private readonly verifications: MongoVerificationLog;
  private readonly webhooks: MongoWebhooks;
  private readonly notifications: MongoNotifications;
  private readonly nonces: MongoNonces;
  private readonly offers: MongoOffers;
  private readonly presentationRequests: MongoPresentationRequests;
  private readonly printedCards: MongoPrintedCards;
  private readonly retention: MongoRetention;
  private readonly statusEntries: MongoStatusEntries;

  private constructor(private readonly db: MongoDb) {
    this.apiKeys = new MongoApiKeys(db);
    this.custodialKeys = new MongoCustodialKeys(db);
    this.resealing = new MongoResealing(db);
    this.credentials = new MongoCredentials(db);
    this.idempotency = new MongoIdempotency(db);
    this.identity = new MongoIdentity(db);
    this.projection = new MongoProjection(db);
    this.verifications = new MongoVerificationLog(db);
    this.webhooks = new MongoWebhooks(db);
    this.notifications = new MongoNotifications(db);
    this.nonces = new MongoNonces(db);
    this.offers = new MongoOffers(db);
    this.presentationRequests = new MongoPresentationRequests(db);
    this.printedCards = new MongoPrintedCards(db);
    this.retention = new MongoRetention(db);
    this.statusEntries = new MongoStatusEntries(db);
  }

  /**
   * Connects, then creates the collections and the indexes (the unique ones carry correctness) before returning.
   *
   * @example
   * const store = await MongoStore.open('mongodb://db.example:27017/anxin');
   */
  static async open(uri: string, options: MongoStoreOptions = {}): Promise<MongoStore> {
    return new MongoStore(await MongoDb.open(uri, options));
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
    await this.projection.putAnchor(p);
    // Two writes: each is an idempotent upsert guarded by (block, tx), and the projection
    // replays the change after a crash in between.
    if (entry) await this.statusEntries.putStatusEntry(entry);
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

  ping(): Promise<boolean> {
    return this.db.ping();
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** For tests: drop the whole database this store uses. */
  dropDatabase(): Promise<void> {
    return this.db.dropDatabase();
  }
}
