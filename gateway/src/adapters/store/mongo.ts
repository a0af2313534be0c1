/**
 * Store adapter on MongoDB through mongoose 9.
 *
 * One model per collection on the store's own connection (`mongoose.createConnection`,
 * never the global one), unique indexes on every natural key, and only single-document
 * operations: no multi-document transaction, no change stream, so any deployment
 * (standalone, replica set, sharded) serves.
 *
 * Conditional upserts (projection and checkpoints): the filter carries the condition
 * "stored (updatedBlock, updatedTx) is not newer than mine". When a newer version is
 * stored the filter matches nothing, the upsert tries to insert a second document with
 * the same id, and the unique index refuses it with E11000: that means "a newer change is
 * already there". Because two first inserts racing each other produce the same error,
 * the loser retries once without upsert, which applies it if (and only if) it is newer.
 *
 * Durability: writes use `w: 'majority', journal: true` (unless the URI says otherwise),
 * so a write that returned survives a crash of the primary.
 */
import mongoose, { Schema, type ConnectOptions, type Connection, type Model, type QueryFilter } from 'mongoose';
import type {
  AnchorProjection,
  ApiKeyRecord,
  Checkpoint,
  CredentialRecord,
  CustodialKeyRecord,
  IdempotencyRecord,
  IssuerProjection,
  NonceRecord,
  NonceUse,
  NotificationRecord,
  PruneCounts,
  RetentionCutoffs,
  Principal,
  Sealed,
  Store,
  VerificationLogEntry,
  WebhookRecord,
} from '../../ports/store';
import { whyNotUsable } from './nonce-use';

export interface MongoStoreOptions {
  /** Database name; defaults to the one in the URI (or `anxin` when the URI names none). */
  dbName?: string;
  /** How long to wait for a reachable server before an operation fails (default 5 s). */
  serverSelectionTimeoutMS?: number;
  /** Read only, as an auditor does: no collection or index is created (writes would still be refused by
   * giving the auditor a read-only MongoDB user). */
  readonly?: boolean;
}

// ---- document shapes (as stored) -------------------------------------------------------

interface ApiKeyDoc {
  id: string;
  hash: string;
  principalType: string;
  principalId: string;
  scopes: string[];
  label?: string;
  createdAt: string;
  revokedAt?: string;
}

interface CustodialKeyDoc {
  kid: string;
  owner: string;
  alg: string;
  publicJwk: Record<string, string>;
  sealed: Sealed;
  createdAt: string;
}

interface CredentialDoc {
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
}

interface IdempotencyDoc {
  principal: string;
  key: string;
  requestHash: string;
  /** The body is kept as JSON text: a response body may hold keys MongoDB treats specially (`$id`, dots). */
  response?: { status: number; body: string };
  resource?: string;
  createdAt: string;
}

interface AnchorDoc {
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
  anchoredAt: string;
  txId: string;
  block: number;
  updatedAt: string;
  updatedBlock: number;
  updatedTx: number;
}

interface IssuerDoc {
  id: string;
  record: Record<string, unknown>;
  updatedBlock: number;
  updatedTx: number;
}

interface CheckpointDoc {
  name: string;
  block: number;
  txIndex: number;
}

interface VerificationDoc {
  credentialId: string;
  verifier: string;
  /** As given (RFC 3339). */
  at: string;
  /** The same instant as a BSON date, for filtering and ordering (strings with and without fractions do not sort). */
  atTime: Date;
  verified: boolean;
}

interface WebhookDoc {
  verifier: string;
  url: string;
  createdAt: string;
}

interface NotificationDoc {
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
}

interface NonceDoc {
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
  },
  opts('credentials'),
);
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

const verificationSchema = new Schema<VerificationDoc>(
  {
    credentialId: req(String),
    verifier: req(String),
    at: req(String),
    atTime: req(Date),
    verified: req(Boolean),
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
  },
  opts('notifications'),
);
notificationSchema.index({ id: 1 }, { unique: true });
notificationSchema.index({ state: 1, nextAttemptTime: 1 });
notificationSchema.index({ verifier: 1, createdTime: -1 });

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

// ---- helpers ---------------------------------------------------------------------------

function isDuplicateKey(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, codeName } = e as { code?: unknown; codeName?: unknown };
  return code === 11000 || code === 11001 || codeName === 'DuplicateKey';
}

/** `$set` the defined fields, `$unset` the undefined ones: a whole-document upsert through updateOne. */
function setUnset(doc: Record<string, unknown>): { $set: Record<string, unknown>; $unset?: Record<string, 1> } {
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, 1> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v === undefined) $unset[k] = 1;
    else $set[k] = v;
  }
  return Object.keys($unset).length ? { $set, $unset } : { $set };
}

/** Plain copy without MongoDB's `_id` and without absent (null/undefined) optional fields. */
function clean<T extends object>(doc: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (k !== '_id' && v !== undefined && v !== null) out[k] = v;
  return out as T;
}

/** Filter "the stored (block, tx) is not newer than (b, t)". */
const notNewerThan = (blockField: string, txField: string, b: number, t: number) => ({
  $or: [{ [blockField]: { $lt: b } }, { [blockField]: b, [txField]: { $lte: t } }],
});

const sameSealed = (s: Sealed): Sealed => ({ iv: s.iv, ct: s.ct, tag: s.tag, kek: s.kek });

function instant(s: string, what: string): Date {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new TypeError(`store: ${what} is not an RFC 3339 instant: ${JSON.stringify(s)}`);
  return d;
}

/** Does the URI's query string set this option (names are case-insensitive)? */
function uriSets(uri: string, option: string): boolean {
  const q = uri.indexOf('?');
  if (q < 0) return false;
  return uri
    .slice(q + 1)
    .split('&')
    .some((kv) => kv.split('=')[0]!.toLowerCase() === option.toLowerCase());
}

// ---- the store -------------------------------------------------------------------------

export class MongoStore implements Store {
  readonly kind = 'mongodb' as const;
  private readonly ApiKey: Model<ApiKeyDoc>;
  private readonly CustodialKey: Model<CustodialKeyDoc>;
  private readonly Credential: Model<CredentialDoc>;
  private readonly Idempotency: Model<IdempotencyDoc>;
  private readonly Anchor: Model<AnchorDoc>;
  private readonly Issuer: Model<IssuerDoc>;
  private readonly Checkpoint: Model<CheckpointDoc>;
  private readonly Verification: Model<VerificationDoc>;
  private readonly Webhook: Model<WebhookDoc>;
  private readonly Notification: Model<NotificationDoc>;
  private readonly Nonce: Model<NonceDoc>;
  private closed = false;

  private constructor(private readonly conn: Connection) {
    this.ApiKey = conn.model<ApiKeyDoc>('ApiKey', apiKeySchema);
    this.CustodialKey = conn.model<CustodialKeyDoc>('CustodialKey', custodialKeySchema);
    this.Credential = conn.model<CredentialDoc>('Credential', credentialSchema);
    this.Idempotency = conn.model<IdempotencyDoc>('IdempotencyKey', idempotencySchema);
    this.Anchor = conn.model<AnchorDoc>('Anchor', anchorSchema);
    this.Issuer = conn.model<IssuerDoc>('Issuer', issuerSchema);
    this.Checkpoint = conn.model<CheckpointDoc>('Checkpoint', checkpointSchema);
    this.Verification = conn.model<VerificationDoc>('Verification', verificationSchema);
    this.Webhook = conn.model<WebhookDoc>('Webhook', webhookSchema);
    this.Notification = conn.model<NotificationDoc>('Notification', notificationSchema);
    this.Nonce = conn.model<NonceDoc>('Nonce', nonceSchema);
  }

  /** Connects, then creates the collections and the indexes (the unique ones carry correctness) before returning. */
  static async open(uri: string, options: MongoStoreOptions = {}): Promise<MongoStore> {
    // Defaults; an option the URI sets itself wins (options given here would override it).
    const defaults: ConnectOptions = {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
      connectTimeoutMS: 10_000,
      socketTimeoutMS: 30_000,
      heartbeatFrequencyMS: 10_000,
      maxPoolSize: 20,
    };
    for (const k of Object.keys(defaults)) if (uriSets(uri, k)) delete defaults[k as keyof ConnectOptions];
    const conn = mongoose.createConnection(uri, {
      ...defaults,
      ...(options.dbName ? { dbName: options.dbName } : {}),
      // Fail fast while disconnected instead of queueing operations without bound.
      bufferCommands: false,
      // Collections and indexes are created by init(), awaited before the store is used.
      autoIndex: false,
      autoCreate: false,
      ...(['w', 'journal', 'wtimeoutMS'].some((k) => uriSets(uri, k))
        ? {}
        : { writeConcern: { w: 'majority' as const, journal: true, wtimeoutMS: 10_000 } }),
    });
    try {
      await conn.asPromise();
      const store = new MongoStore(conn);
      if (!options.readonly) await store.init();
      return store;
    } catch (e) {
      await conn.close().catch(() => undefined);
      throw e;
    }
  }

  private models(): { createCollection(): Promise<unknown>; createIndexes(): Promise<unknown> }[] {
    return [
      this.ApiKey,
      this.CustodialKey,
      this.Credential,
      this.Idempotency,
      this.Anchor,
      this.Issuer,
      this.Checkpoint,
      this.Verification,
      this.Webhook,
      this.Notification,
      this.Nonce,
    ];
  }

  private async init(): Promise<void> {
    for (const m of this.models()) {
      try {
        await m.createCollection();
      } catch (e) {
        // 48 NamespaceExists: created earlier (or by another gateway just now).
        if ((e as { code?: unknown }).code !== 48) throw e;
      }
      await m.createIndexes();
    }
  }

  private check(): void {
    if (this.closed) throw new Error('store: closed');
  }

  // ---- API keys -------------------------------------------------------------------------

  async putApiKey(r: ApiKeyRecord): Promise<void> {
    this.check();
    const doc: ApiKeyDoc = {
      id: r.id,
      hash: r.hash,
      principalType: r.principal.type,
      principalId: r.principal.id,
      scopes: [...r.scopes],
      label: r.label,
      createdAt: r.createdAt,
      revokedAt: r.revokedAt,
    };
    await this.ApiKey.updateOne({ id: r.id }, setUnset({ ...doc }), { upsert: true }).exec();
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    this.check();
    const d = await this.ApiKey.findOne({ id }).lean<ApiKeyDoc>().exec();
    return d ? apiKeyFromDoc(d) : undefined;
  }

  async listApiKeys(principal?: Principal): Promise<ApiKeyRecord[]> {
    this.check();
    const filter = principal ? { principalType: principal.type, principalId: principal.id } : {};
    const docs = await this.ApiKey.find(filter).sort({ createdAt: 1, id: 1 }).lean<ApiKeyDoc[]>().exec();
    return docs.map(apiKeyFromDoc);
  }

  // ---- custodial keys -------------------------------------------------------------------

  async putCustodialKey(r: CustodialKeyRecord): Promise<void> {
    this.check();
    const doc: CustodialKeyDoc = {
      kid: r.kid,
      owner: r.owner,
      alg: r.alg,
      publicJwk: { ...r.publicJwk },
      sealed: sameSealed(r.sealed),
      createdAt: r.createdAt,
    };
    await this.CustodialKey.updateOne({ kid: r.kid }, setUnset({ ...doc }), { upsert: true }).exec();
  }

  async getCustodialKey(kid: string): Promise<CustodialKeyRecord | undefined> {
    this.check();
    const d = await this.CustodialKey.findOne({ kid }).lean<CustodialKeyDoc>().exec();
    return d ? custodialKeyFromDoc(d) : undefined;
  }

  async listCustodialKeys(owner: string): Promise<CustodialKeyRecord[]> {
    this.check();
    const docs = await this.CustodialKey.find({ owner })
      .sort({ createdAt: 1, kid: 1 })
      .lean<CustodialKeyDoc[]>()
      .exec();
    return docs.map(custodialKeyFromDoc);
  }

  // ---- credentials ----------------------------------------------------------------------

  async putCredential(r: CredentialRecord): Promise<void> {
    this.check();
    const doc: CredentialDoc = {
      id: r.id,
      issuer: r.issuer,
      type: r.type,
      format: r.format,
      sealed: sameSealed(r.sealed),
      digest: r.digest,
      anchorStatement: r.anchorStatement,
      state: r.state,
      anchor: r.anchor && { txId: r.anchor.txId, block: r.anchor.block, anchoredAt: r.anchor.anchoredAt },
      createdAt: r.createdAt,
      idempotencyKey: r.idempotencyKey,
    };
    // An anchored record is never turned back into a pending one: a pending write only
    // matches a record that is not anchored; against an anchored one its upsert collides
    // with the unique id (E11000) and is dropped.
    const filter = r.state === 'pending' ? { id: r.id, state: { $ne: 'anchored' } } : { id: r.id };
    try {
      await this.Credential.updateOne(filter, setUnset({ ...doc }), { upsert: true }).exec();
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      // Either an anchored record is there (nothing to do) or two first writes raced: retry without upsert.
      await this.Credential.updateOne(filter, setUnset({ ...doc })).exec();
    }
  }

  async getCredential(id: string): Promise<CredentialRecord | undefined> {
    this.check();
    const d = await this.Credential.findOne({ id }).lean<CredentialDoc>().exec();
    return d ? credentialFromDoc(d) : undefined;
  }

  // ---- idempotency ----------------------------------------------------------------------

  async claimIdempotencyKey(r: IdempotencyRecord): Promise<IdempotencyRecord | undefined> {
    this.check();
    const insert: Record<string, unknown> = {
      requestHash: r.requestHash,
      createdAt: r.createdAt,
      ...(r.response ? { response: { status: r.response.status, body: JSON.stringify(r.response.body) } } : {}),
      ...(r.resource !== undefined ? { resource: r.resource } : {}),
    };
    // findOneAndUpdate + $setOnInsert + upsert is atomic on one document: it returns the
    // document as it was before (null when this call inserted it) and never modifies an
    // existing one. Two first claims racing: the loser gets E11000 (or the server retries
    // it as a match); then the existing claim is read. If that claim is released between
    // the two, claim again.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const before = await this.Idempotency.findOneAndUpdate(
          { principal: r.principal, key: r.key },
          { $setOnInsert: insert },
          { upsert: true, returnDocument: 'before' },
        )
          .lean<IdempotencyDoc>()
          .exec();
        return before ? idempotencyFromDoc(before) : undefined;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
        const existing = await this.Idempotency.findOne({ principal: r.principal, key: r.key })
          .lean<IdempotencyDoc>()
          .exec();
        if (existing) return idempotencyFromDoc(existing);
      }
    }
    throw new Error(`store: could not claim idempotency key ${JSON.stringify(r.key)}: contended`);
  }

  async completeIdempotencyKey(
    principal: string,
    key: string,
    response: { status: number; body: unknown },
  ): Promise<void> {
    this.check();
    await this.Idempotency.updateOne(
      { principal, key },
      { $set: { response: { status: response.status, body: JSON.stringify(response.body) } } },
    ).exec();
  }

  async releaseIdempotencyKey(principal: string, key: string): Promise<void> {
    this.check();
    // Only an open claim is forgotten; a completed one keeps answering retries.
    await this.Idempotency.deleteOne({ principal, key, response: { $exists: false } }).exec();
  }

  // ---- ledger projection ----------------------------------------------------------------

  /**
   * Upsert `update` into the document `key` unless the stored one is newer. A losing upsert
   * fails with E11000; then, because a concurrent first insert fails the same way, retry
   * without upsert: it applies iff the stored version is not newer.
   */
  private async conditionalUpsert<T>(
    model: Model<T>,
    key: Record<string, unknown>,
    newer: Record<string, unknown>,
    update: Record<string, unknown>,
  ): Promise<void> {
    const filter = { ...key, ...newer } as QueryFilter<T>;
    try {
      await model.updateOne(filter, update, { upsert: true }).exec();
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      await model.updateOne(filter, update).exec();
    }
  }

  async putAnchor(p: AnchorProjection): Promise<void> {
    this.check();
    const doc: AnchorDoc = {
      id: p.id,
      type: p.type,
      issuer: p.issuer,
      kid: p.kid,
      digest: p.digest,
      holderRef: p.holderRef,
      validFrom: p.validFrom,
      validUntil: p.validUntil,
      status: p.status,
      statusReason: p.statusReason,
      anchoredAt: p.anchoredAt,
      txId: p.txId,
      block: p.block,
      updatedAt: p.updatedAt,
      updatedBlock: p.updatedBlock,
      updatedTx: p.updatedTx,
    };
    await this.conditionalUpsert(
      this.Anchor,
      { id: p.id },
      notNewerThan('updatedBlock', 'updatedTx', p.updatedBlock, p.updatedTx),
      setUnset({ ...doc }),
    );
  }

  async getAnchor(id: string): Promise<AnchorProjection | undefined> {
    this.check();
    const d = await this.Anchor.findOne({ id }).lean<AnchorDoc>().exec();
    return d ? (clean(d) as unknown as AnchorProjection) : undefined;
  }

  async putIssuer(p: IssuerProjection): Promise<void> {
    this.check();
    await this.conditionalUpsert(
      this.Issuer,
      { id: p.issuer.id },
      notNewerThan('updatedBlock', 'updatedTx', p.updatedBlock, p.updatedTx),
      { $set: { id: p.issuer.id, record: p.issuer, updatedBlock: p.updatedBlock, updatedTx: p.updatedTx } },
    );
  }

  async getIssuer(id: string): Promise<IssuerProjection | undefined> {
    this.check();
    const d = await this.Issuer.findOne({ id }).lean<IssuerDoc>().exec();
    return d ? issuerFromDoc(d) : undefined;
  }

  async listIssuers(): Promise<IssuerProjection[]> {
    this.check();
    const docs = await this.Issuer.find({}).sort({ id: 1 }).lean<IssuerDoc[]>().exec();
    return docs.map(issuerFromDoc);
  }

  async getCheckpoint(name: string): Promise<Checkpoint | undefined> {
    this.check();
    const d = await this.Checkpoint.findOne({ name }).lean<CheckpointDoc>().exec();
    return d ? { block: d.block, txIndex: d.txIndex } : undefined;
  }

  async putCheckpoint(name: string, c: Checkpoint): Promise<void> {
    this.check();
    // A checkpoint only moves forward, like the projection it marks.
    await this.conditionalUpsert(this.Checkpoint, { name }, notNewerThan('block', 'txIndex', c.block, c.txIndex), {
      $set: { name, block: c.block, txIndex: c.txIndex },
    });
  }

  // ---- verification log -----------------------------------------------------------------

  async recordVerifications(entries: VerificationLogEntry[]): Promise<void> {
    this.check();
    if (!entries.length) return;
    // Idempotent: the same verifier checking the same credential at the same instant is one entry.
    await this.Verification.bulkWrite(
      entries.map((e) => ({
        updateOne: {
          filter: { credentialId: e.credentialId, verifier: e.verifier, at: e.at },
          update: { $setOnInsert: { atTime: instant(e.at, 'verification time'), verified: e.verified } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  async verifiersSince(credentialId: string, since: string): Promise<VerificationLogEntry[]> {
    this.check();
    // Aggregation does not cast: the $match values are already BSON types.
    const rows = await this.Verification.aggregate<VerificationDoc>([
      { $match: { credentialId, atTime: { $gte: instant(since, 'since') } } },
      { $sort: { atTime: -1, at: -1 } },
      { $group: { _id: '$verifier', doc: { $first: '$$ROOT' } } },
      { $replaceRoot: { newRoot: '$doc' } },
      { $sort: { atTime: -1, verifier: 1 } },
    ]).exec();
    return rows.map((d) => ({ credentialId: d.credentialId, verifier: d.verifier, at: d.at, verified: d.verified }));
  }

  // ---- webhooks and their outbox --------------------------------------------------------

  async putWebhook(r: WebhookRecord): Promise<void> {
    this.check();
    await this.Webhook.updateOne(
      { verifier: r.verifier },
      { $set: { verifier: r.verifier, url: r.url, createdAt: r.createdAt } },
      { upsert: true },
    );
  }

  async getWebhook(verifier: string): Promise<WebhookRecord | undefined> {
    this.check();
    const d = await this.Webhook.findOne({ verifier }).lean<WebhookDoc>().exec();
    return d ? { verifier: d.verifier, url: d.url, createdAt: d.createdAt } : undefined;
  }

  async deleteWebhook(verifier: string): Promise<boolean> {
    this.check();
    return (await this.Webhook.deleteOne({ verifier }).exec()).deletedCount > 0;
  }

  async enqueueNotifications(n: NotificationRecord[]): Promise<number> {
    this.check();
    if (!n.length) return 0;
    // Insert-if-absent: a notification already queued (by this gateway or another) is left alone.
    const r = await this.Notification.bulkWrite(
      n.map((x) => ({
        updateOne: {
          filter: { id: x.id },
          // The filter's id goes into the inserted document by itself.
          update: { $setOnInsert: withoutId(notificationDoc(x)) },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    return r.upsertedCount;
  }

  async dueNotifications(now: string, limit: number): Promise<NotificationRecord[]> {
    this.check();
    const docs = await this.Notification.find({ state: 'pending', nextAttemptTime: { $lte: instant(now, 'now') } })
      .sort({ nextAttemptTime: 1, createdTime: 1, id: 1 })
      .limit(limit)
      .lean<NotificationDoc[]>()
      .exec();
    return docs.map(notificationOf);
  }

  async updateNotification(n: NotificationRecord): Promise<void> {
    this.check();
    await this.Notification.updateOne(
      { id: n.id },
      setUnset({
        state: n.state,
        attempts: n.attempts,
        nextAttemptAt: n.nextAttemptAt,
        nextAttemptTime: instant(n.nextAttemptAt, 'next attempt time'),
        lastError: n.lastError,
        deliveredAt: n.deliveredAt,
      }),
    ).exec();
  }

  async listNotifications(verifier: string, limit: number): Promise<NotificationRecord[]> {
    this.check();
    const docs = await this.Notification.find({ verifier })
      .sort({ createdTime: -1, id: -1 })
      .limit(limit)
      .lean<NotificationDoc[]>()
      .exec();
    return docs.map(notificationOf);
  }

  // ---- one-time nonces ------------------------------------------------------------------

  async putNonce(r: NonceRecord): Promise<void> {
    this.check();
    // insertOne, not an upsert: a nonce already there is refused by the unique index.
    await this.Nonce.create(
      clean<NonceDoc>({
        nonce: r.nonce,
        purpose: r.purpose,
        principal: r.principal,
        aud: r.aud,
        createdAt: r.createdAt,
        expiresAt: r.expiresAt,
        expiresTime: instant(r.expiresAt, 'nonce expiry'),
      }),
    );
  }

  async useNonce(
    q: { nonce: string; purpose: NonceRecord['purpose']; principal?: string },
    now: string,
  ): Promise<NonceUse> {
    this.check();
    const at = instant(now, 'now');
    // One document, one atomic update: of two concurrent uses, only one matches "unused".
    const used = await this.Nonce.findOneAndUpdate(
      {
        nonce: q.nonce,
        purpose: q.purpose,
        usedAt: { $exists: false },
        expiresTime: { $gt: at },
        ...(q.principal !== undefined ? { principal: q.principal } : {}),
      },
      { $set: { usedAt: now } },
      { returnDocument: 'after' },
    )
      .lean<NonceDoc>()
      .exec();
    if (used) return { ok: true, record: nonceFromDoc(used) };
    const d = await this.Nonce.findOne({ nonce: q.nonce }).lean<NonceDoc>().exec();
    return { ok: false, why: whyNotUsable(d ? nonceFromDoc(d) : undefined, q, at.getTime()) };
  }

  // ---- retention ------------------------------------------------------------------------

  async prune(c: RetentionCutoffs): Promise<PruneCounts> {
    this.check();
    const v = await this.Verification.deleteMany({ atTime: { $lt: instant(c.verifications, 'verification cutoff') } });
    // createdAt is kept as written (RFC 3339 text): compared as a date on the server.
    const i = await this.Idempotency.deleteMany({
      response: { $exists: true },
      $expr: {
        $lt: [
          // A value that does not parse is kept (never deleted for want of a date).
          { $dateFromString: { dateString: '$createdAt', onError: new Date(8.64e15) } },
          instant(c.idempotency, 'idempotency cutoff'),
        ],
      },
    });
    const n = await this.Notification.deleteMany({
      state: { $ne: 'pending' },
      createdTime: { $lt: instant(c.notifications, 'notification cutoff') },
    });
    const x = await this.Nonce.deleteMany({ expiresTime: { $lt: instant(c.nonces, 'nonce cutoff') } });
    return {
      verifications: v.deletedCount,
      idempotency: i.deletedCount,
      notifications: n.deletedCount,
      nonces: x.deletedCount,
    };
  }

  // ---- lifecycle ------------------------------------------------------------------------

  async ping(): Promise<boolean> {
    if (this.closed || !this.conn.db) return false;
    try {
      const res = await this.conn.db.admin().command({ ping: 1 }, { signal: AbortSignal.timeout(2_000) });
      return res.ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.close();
  }

  /** For tests: drop the whole database this store uses. */
  async dropDatabase(): Promise<void> {
    await this.conn.dropDatabase();
  }
}

// ---- documents -> records ---------------------------------------------------------------

function notificationDoc(n: NotificationRecord): NotificationDoc {
  return clean({
    ...n,
    nextAttemptTime: instant(n.nextAttemptAt, 'next attempt time'),
    createdTime: instant(n.createdAt, 'notification time'),
  });
}

function withoutId(d: NotificationDoc): Omit<NotificationDoc, 'id'> {
  const { id: _id, ...rest } = d;
  return rest;
}

function notificationOf(d: NotificationDoc): NotificationRecord {
  const { nextAttemptTime: _next, createdTime: _created, ...rest } = clean(d);
  return rest;
}

function apiKeyFromDoc(d: ApiKeyDoc): ApiKeyRecord {
  return clean<ApiKeyRecord>({
    id: d.id,
    hash: d.hash,
    principal: { type: d.principalType as Principal['type'], id: d.principalId },
    scopes: [...d.scopes] as ApiKeyRecord['scopes'],
    label: d.label,
    createdAt: d.createdAt,
    revokedAt: d.revokedAt,
  });
}

function custodialKeyFromDoc(d: CustodialKeyDoc): CustodialKeyRecord {
  return {
    kid: d.kid,
    owner: d.owner,
    alg: d.alg as CustodialKeyRecord['alg'],
    publicJwk: d.publicJwk,
    sealed: sameSealed(d.sealed),
    createdAt: d.createdAt,
  };
}

function credentialFromDoc(d: CredentialDoc): CredentialRecord {
  return clean<CredentialRecord>({
    id: d.id,
    issuer: d.issuer,
    type: d.type as CredentialRecord['type'],
    format: d.format as CredentialRecord['format'],
    sealed: sameSealed(d.sealed),
    digest: d.digest,
    anchorStatement: d.anchorStatement,
    state: d.state as CredentialRecord['state'],
    anchor: d.anchor && { txId: d.anchor.txId, block: d.anchor.block, anchoredAt: d.anchor.anchoredAt },
    createdAt: d.createdAt,
    idempotencyKey: d.idempotencyKey,
  });
}

function idempotencyFromDoc(d: IdempotencyDoc): IdempotencyRecord {
  return clean<IdempotencyRecord>({
    principal: d.principal,
    key: d.key,
    requestHash: d.requestHash,
    response: d.response && { status: d.response.status, body: JSON.parse(d.response.body) },
    resource: d.resource,
    createdAt: d.createdAt,
  });
}

function nonceFromDoc(d: NonceDoc): NonceRecord {
  return clean<NonceRecord>({
    nonce: d.nonce,
    purpose: d.purpose as NonceRecord['purpose'],
    principal: d.principal,
    aud: d.aud,
    createdAt: d.createdAt,
    expiresAt: d.expiresAt,
    usedAt: d.usedAt,
  });
}

function issuerFromDoc(d: IssuerDoc): IssuerProjection {
  return {
    issuer: d.record as unknown as IssuerProjection['issuer'],
    updatedBlock: d.updatedBlock,
    updatedTx: d.updatedTx,
  };
}
