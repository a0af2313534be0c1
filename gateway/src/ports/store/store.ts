/**
 * The Store port: the gateway's own records and its projection of the ledger, as one
 * handle. Each aggregate has its own narrow port beside this file; `Store` is all of them
 * together plus the connection's lifecycle, so a call site that needs one aggregate can
 * take that aggregate's type and a call site that needs several takes `Store`.
 *
 * Two adapters implement it — SQLite (embedded default) and MongoDB (mongoose),
 * gateway/src/adapters/store/{sqlite,mongo} — and one contract suite, split the same way
 * by aggregate, runs against both (test/src/gateway/store/contract).
 *
 * Every write touches one row/document and is idempotent (an upsert keyed by id, or by
 * block and transaction for the projection), so a crash between two writes is repaired
 * by replaying from the last checkpoint; no multi-document transactions are needed.
 */
import type { ApiKeyStore } from './api-keys';
import type { CredentialStore } from './credentials';
import type { CustodialKeyStore } from './custodial-keys';
import type { IdempotencyStore } from './idempotency';
import type { IdentityStore } from './identity';
import type { NonceStore } from './nonces';
import type { NotificationStore } from './notifications';
import type { OfferStore } from './offers';
import type { PresentationRequestStore } from './presentation-requests';
import type { PrintedCardStore } from './printed-cards';
import type { ProjectionStore } from './projection';
import type { ResealStore } from './resealing';
import type { RetentionStore } from './retention';
import type { StatusEntryStore } from './status-entries';
import type { VerificationLogStore } from './verifications';
import type { WebhookStore } from './webhooks';

export interface Store
  extends
    ApiKeyStore,
    CustodialKeyStore,
    CredentialStore,
    IdempotencyStore,
    IdentityStore,
    ProjectionStore,
    StatusEntryStore,
    VerificationLogStore,
    WebhookStore,
    NotificationStore,
    NonceStore,
    OfferStore,
    PresentationRequestStore,
    RetentionStore,
    ResealStore,
    PrintedCardStore {
  readonly kind: 'sqlite' | 'mongodb';
  /** Reachable and answering (for /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
