/**
 * The MongoDB store's collections: one mongoose model per collection, with the documents'
 * shapes as stored and their indexes (unique on every natural key: the indexes carry
 * correctness). Schemas are strict (`strict: 'throw'`); nothing is created implicitly:
 * collections and indexes are created by `createCollections`, awaited before the store is
 * used (and skipped for a read-only store).
 */
import { Schema, type Connection, type Model } from 'mongoose';
import type { PrincipalType, Sealed } from '../../../ports/store';

// ---- document shapes (as stored) -------------------------------------------------------

export interface ApiKeyDoc {
  id: string;
  hash: string;
  principalType: string;
  principalId: string;
  scopes: string[];
  label?: string;
  createdAt: string;
  revokedAt?: string;
}

export interface CustodialKeyDoc {
  kid: string;
  owner: string;
  alg: string;
  publicJwk: Record<string, string>;
  sealed: Sealed;
  createdAt: string;
}

export interface CredentialDoc {
  id: string;
  issuer: string;
  type: string;
  format: string;
  sealed: Sealed;
  digest: string;
  anchorStatement: string;
  state: string;
  anchor?: { txId: string; block: number; anchoredAt: string };
  createdAt: string;
  idempotencyKey?: string;
  /** The holder key's thumbprint; '' when bound to none; absent until indexed. */
  holderJkt?: string;
}

export interface IdempotencyDoc {
  principal: string;
  key: string;
  requestHash: string;
  /** The body is kept as JSON text: a response body may hold keys MongoDB treats specially (`$id`, dots). */
  response?: { status: number; body: string };
  resource?: string;
  createdAt: string;
  /** The lease of an open claim: as given (RFC 3339), and as a BSON date for the take-over condition. */
  leaseUntil?: string;
  leaseTime?: Date;
}

export interface AnchorDoc {
  id: string;
  type: string;
  issuer: string;
  kid: string;
  digest: string;
  holderRef: string;
  validFrom: string;
  validUntil?: string;
  status: string;
  statusReason?: string;
  replaces?: string;
  replacedBy?: string;
  anchoredAt: string;
  txId: string;
  block: number;
  updatedAt: string;
  updatedBlock: number;
  updatedTx: number;
}

export interface IssuerDoc {
  id: string;
  record: Record<string, unknown>;
  updatedBlock: number;
  updatedTx: number;
}

export interface CheckpointDoc {
  name: string;
  block: number;
  txIndex: number;
}

export interface StatusEntryDoc {
  list: string;
  idx: number;
  issuer: string;
  credentialId: string;
  status: string;
  updatedBlock: number;
  updatedTx: number;
}

export interface VerificationDoc {
  credentialId: string;
  verifier: string;
  /** As given (RFC 3339). */
  at: string;
  /** The same instant as a BSON date, for filtering and ordering (strings with and without fractions do not sort). */
  atTime: Date;
  verified: boolean;
  binding?: string;
}

export interface WebhookDoc {
  verifier: string;
  url: string;
  createdAt: string;
}

/** The store's identity (identity.ts): one document, `_id: 'store'`. */
export interface IdentityDoc {
  _id: string;
  channel: string;
  genesisHash: string;
  kek: string;
  createdAt: string;
}

export interface NotificationDoc {
  id: string;
  verifier: string;
  url: string;
  credentialId: string;
  body: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  /** nextAttemptAt as a BSON date, for the due query. */
  nextAttemptTime: Date;
  createdAt: string;
  createdTime: Date;
  lastError?: string;
  deliveredAt?: string;
  /** Who holds the current delivery lease (it ends at nextAttemptTime). */
  leaseOwner?: string;
}

export interface NonceDoc {
  nonce: string;
  purpose: string;
  principal?: string;
  aud?: string;
  createdAt: string;
  expiresAt: string;
  /** expiresAt as a BSON date, for the use and prune queries. */
  expiresTime: Date;
  usedAt?: string;
}

export interface OfferDoc {
  id: string;
  issuer: string;
  configurationId: string;
  sealed: Sealed;
  codeHash: string;
  pinHash: string;
  pinSalt: string;
  createdAt: string;
  expiresAt: string;
  /** expiresAt as a BSON date, for the redemption and prune queries. */
  expiresTime: Date;
  failures: number;
  redeemedAt?: string;
  tokenHash?: string;
  tokenExpiresAt?: string;
  credentialId?: string;
}

export interface PresentationRequestDoc {
  id: string;
  verifierType: PrincipalType;
  verifierId: string;
  /** JSON text, read back whole. */
  request: string;
  createdAt: string;
  expiresAt: string;
  /** expiresAt as a BSON date, for the answer, count and prune queries. */
  expiresTime: Date;
  answeredAt?: string;
  answer?: Sealed;
}

// ---- schemas ---------------------------------------------------------------------------

const req = <T>(type: T) => ({ type, required: true as const });
const opts = (collection: string) =>
  ({ collection, versionKey: false, minimize: false, strict: 'throw', autoIndex: false, autoCreate: false }) as const;

const sealedSchema = new Schema<Sealed>(
  { iv: req(String), ct: req(String), tag: req(String), kek: req(String) },
  { _id: false, strict: 'throw' },
);

const apiKeySchema = new Schema<ApiKeyDoc>(
  {
    id: req(String),
    hash: req(String),
    principalType: req(String),
    principalId: req(String),
    scopes: { type: [String], required: true },
    label: String,
    createdAt: req(String),
    revokedAt: String,
  },
  opts('api_keys'),
);
apiKeySchema.index({ id: 1 }, { unique: true });
apiKeySchema.index({ principalType: 1, principalId: 1, createdAt: 1 });

const custodialKeySchema = new Schema<CustodialKeyDoc>(
  {
    kid: req(String),
    owner: req(String),
    alg: req(String),
    publicJwk: { type: Schema.Types.Mixed, required: true },
    sealed: { type: sealedSchema, required: true },
    createdAt: req(String),
  },
  opts('custodial_keys'),
);
custodialKeySchema.index({ kid: 1 }, { unique: true });
custodialKeySchema.index({ owner: 1, createdAt: 1 });

const credentialSchema = new Schema<CredentialDoc>(
  {
    id: req(String),
    issuer: req(String),
    type: req(String),
    format: req(String),
    sealed: { type: sealedSchema, required: true },
    digest: req(String),
    anchorStatement: req(String),
    state: req(String),
    anchor: {
      type: new Schema(
        { txId: req(String), block: req(Number), anchoredAt: req(String) },
        { _id: false, strict: 'throw' },
      ),
      required: false,
    },
    createdAt: req(String),
    idempotencyKey: String,
    holderJkt: String,
  },
  opts('credentials'),
);
// A holder's credentials by its key; SD-JWTs recorded before the key was indexed.
credentialSchema.index({ holderJkt: 1, createdAt: -1 }, { partialFilterExpression: { holderJkt: { $gt: '' } } });
credentialSchema.index({ format: 1, holderJkt: 1 });
credentialSchema.index({ id: 1 }, { unique: true });
credentialSchema.index({ issuer: 1, createdAt: 1 });

const idempotencySchema = new Schema<IdempotencyDoc>(
  {
    principal: req(String),
    key: req(String),
    requestHash: req(String),
    response: {
      type: new Schema({ status: req(Number), body: req(String) }, { _id: false, strict: 'throw' }),
      required: false,
    },
    resource: String,
    createdAt: req(String),
    leaseUntil: String,
    leaseTime: Date,
  },
  opts('idempotency_keys'),
);
idempotencySchema.index({ principal: 1, key: 1 }, { unique: true });

const anchorSchema = new Schema<AnchorDoc>(
  {
    id: req(String),
    type: req(String),
    issuer: req(String),
    kid: req(String),
    digest: req(String),
    holderRef: req(String),
    validFrom: req(String),
    validUntil: String,
    status: req(String),
    statusReason: String,
    replaces: String,
    replacedBy: String,
    anchoredAt: req(String),
    txId: req(String),
    block: req(Number),
    updatedAt: req(String),
    updatedBlock: req(Number),
    updatedTx: req(Number),
  },
  opts('anchors'),
);
anchorSchema.index({ id: 1 }, { unique: true });
anchorSchema.index({ issuer: 1 });
// What expires soon, per issuer: active ones by validUntil.
anchorSchema.index({ issuer: 1, validUntil: 1 }, { partialFilterExpression: { status: 'active' } });

const issuerSchema = new Schema<IssuerDoc>(
  {
    id: req(String),
    record: { type: Schema.Types.Mixed, required: true },
    updatedBlock: req(Number),
    updatedTx: req(Number),
  },
  opts('issuers'),
);
issuerSchema.index({ id: 1 }, { unique: true });

const checkpointSchema = new Schema<CheckpointDoc>(
  { name: req(String), block: req(Number), txIndex: req(Number) },
  opts('checkpoints'),
);
checkpointSchema.index({ name: 1 }, { unique: true });

const statusEntrySchema = new Schema<StatusEntryDoc>(
  {
    list: req(String),
    idx: req(Number),
    issuer: req(String),
    credentialId: req(String),
    status: req(String),
    updatedBlock: req(Number),
    updatedTx: req(Number),
  },
  opts('status_entries'),
);
statusEntrySchema.index({ list: 1, idx: 1 }, { unique: true });
statusEntrySchema.index({ issuer: 1, list: 1 });

const verificationSchema = new Schema<VerificationDoc>(
  {
    credentialId: req(String),
    verifier: req(String),
    at: req(String),
    atTime: req(Date),
    verified: req(Boolean),
    binding: String,
  },
  opts('verifications'),
);
verificationSchema.index({ credentialId: 1, verifier: 1, at: 1 }, { unique: true });
verificationSchema.index({ credentialId: 1, atTime: -1 });

const webhookSchema = new Schema<WebhookDoc>(
  { verifier: req(String), url: req(String), createdAt: req(String) },
  opts('webhooks'),
);
webhookSchema.index({ verifier: 1 }, { unique: true });

const identitySchema = new Schema<IdentityDoc>(
  { _id: req(String), channel: req(String), genesisHash: req(String), kek: req(String), createdAt: req(String) },
  opts('store_identity'),
);

const notificationSchema = new Schema<NotificationDoc>(
  {
    id: req(String),
    verifier: req(String),
    url: req(String),
    credentialId: req(String),
    body: req(String),
    state: { type: String, enum: ['pending', 'delivered', 'failed'], required: true },
    attempts: req(Number),
    nextAttemptAt: req(String),
    nextAttemptTime: req(Date),
    createdAt: req(String),
    createdTime: req(Date),
    lastError: String,
    deliveredAt: String,
    leaseOwner: String,
  },
  opts('notifications'),
);
notificationSchema.index({ id: 1 }, { unique: true });
notificationSchema.index({ state: 1, nextAttemptTime: 1 });
notificationSchema.index({ verifier: 1, createdTime: -1 });

export interface PrintedCardDoc {
  id: string;
  credentialId: string;
  issuer: string;
  secretHash: string;
  disclose: string[];
  createdAt: string;
  revokedAt?: string;
}

const printedCardSchema = new Schema<PrintedCardDoc>(
  {
    id: req(String),
    credentialId: req(String),
    issuer: req(String),
    secretHash: req(String),
    disclose: { type: [String], required: true },
    createdAt: req(String),
    revokedAt: String,
  },
  opts('printed_cards'),
);
printedCardSchema.index({ id: 1 }, { unique: true });
printedCardSchema.index({ credentialId: 1 });

const nonceSchema = new Schema<NonceDoc>(
  {
    nonce: req(String),
    purpose: { type: String, enum: ['challenge', 'c_nonce'], required: true },
    principal: String,
    aud: String,
    createdAt: req(String),
    expiresAt: req(String),
    expiresTime: req(Date),
    usedAt: String,
  },
  opts('nonces'),
);
nonceSchema.index({ nonce: 1 }, { unique: true });
nonceSchema.index({ expiresTime: 1 });

const offerSchema = new Schema<OfferDoc>(
  {
    id: req(String),
    issuer: req(String),
    configurationId: req(String),
    sealed: { type: sealedSchema, required: true },
    codeHash: req(String),
    pinHash: req(String),
    pinSalt: req(String),
    createdAt: req(String),
    expiresAt: req(String),
    expiresTime: req(Date),
    failures: req(Number),
    redeemedAt: String,
    tokenHash: String,
    tokenExpiresAt: String,
    credentialId: String,
  },
  opts('credential_offers'),
);
offerSchema.index({ id: 1 }, { unique: true });
offerSchema.index({ codeHash: 1 }, { unique: true });
offerSchema.index({ tokenHash: 1 }, { unique: true, partialFilterExpression: { tokenHash: { $type: 'string' } } });
offerSchema.index({ expiresTime: 1 });

const presentationRequestSchema = new Schema<PresentationRequestDoc>(
  {
    id: req(String),
    verifierType: req(String),
    verifierId: req(String),
    request: req(String),
    createdAt: req(String),
    expiresAt: req(String),
    expiresTime: req(Date),
    answeredAt: String,
    answer: sealedSchema,
  },
  opts('presentation_requests'),
);
presentationRequestSchema.index({ id: 1 }, { unique: true });
presentationRequestSchema.index({ expiresTime: 1 });

/** Every collection's model, on one connection. */
export interface Models {
  ApiKey: Model<ApiKeyDoc>;
  CustodialKey: Model<CustodialKeyDoc>;
  Credential: Model<CredentialDoc>;
  Idempotency: Model<IdempotencyDoc>;
  Anchor: Model<AnchorDoc>;
  Issuer: Model<IssuerDoc>;
  Checkpoint: Model<CheckpointDoc>;
  StatusEntry: Model<StatusEntryDoc>;
  Verification: Model<VerificationDoc>;
  Webhook: Model<WebhookDoc>;
  Identity: Model<IdentityDoc>;
  Notification: Model<NotificationDoc>;
  Nonce: Model<NonceDoc>;
  Offer: Model<OfferDoc>;
  PrintedCard: Model<PrintedCardDoc>;
  PresentationRequest: Model<PresentationRequestDoc>;
}

/** The models on the store's own connection (never mongoose's global one). */
export function modelsOn(conn: Connection): Models {
  return {
    ApiKey: conn.model<ApiKeyDoc>('ApiKey', apiKeySchema),
    CustodialKey: conn.model<CustodialKeyDoc>('CustodialKey', custodialKeySchema),
    Credential: conn.model<CredentialDoc>('Credential', credentialSchema),
    Idempotency: conn.model<IdempotencyDoc>('IdempotencyKey', idempotencySchema),
    Anchor: conn.model<AnchorDoc>('Anchor', anchorSchema),
    Issuer: conn.model<IssuerDoc>('Issuer', issuerSchema),
    Checkpoint: conn.model<CheckpointDoc>('Checkpoint', checkpointSchema),
    StatusEntry: conn.model<StatusEntryDoc>('StatusEntry', statusEntrySchema),
    Verification: conn.model<VerificationDoc>('Verification', verificationSchema),
    Webhook: conn.model<WebhookDoc>('Webhook', webhookSchema),
    Identity: conn.model<IdentityDoc>('StoreIdentity', identitySchema),
    Notification: conn.model<NotificationDoc>('Notification', notificationSchema),
    Nonce: conn.model<NonceDoc>('Nonce', nonceSchema),
    Offer: conn.model<OfferDoc>('CredentialOffer', offerSchema),
    PrintedCard: conn.model<PrintedCardDoc>('PrintedCard', printedCardSchema),
    PresentationRequest: conn.model<PresentationRequestDoc>('PresentationRequest', presentationRequestSchema),
  };
}

/** Creates every collection and its indexes; what exists already is left as it is. */
export async function createCollections(m: Models): Promise<void> {
  const all: { createCollection(): Promise<unknown>; createIndexes(): Promise<unknown> }[] = [
    m.ApiKey,
    m.CustodialKey,
    m.Credential,
    m.Idempotency,
    m.Anchor,
    m.Issuer,
    m.Checkpoint,
    m.StatusEntry,
    m.Verification,
    m.Webhook,
    m.Identity,
    m.Notification,
    m.Nonce,
    m.Offer,
    m.PrintedCard,
    m.PresentationRequest,
  ];
  for (const model of all) {
    try {
      await model.createCollection();
    } catch (e) {
      // 48 NamespaceExists: created earlier (or by another gateway just now).
      if ((e as { code?: unknown }).code !== 48) throw e;
    }
    await model.createIndexes();
  }
}
