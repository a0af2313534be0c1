/**
 * The ledger's projection on MongoDB: anchors, issuers and checkpoints.
 *
 * Conditional upserts: the filter carries the condition "stored (updatedBlock, updatedTx)
 * is not newer than mine". When a newer version is stored the filter matches nothing, the
 * upsert tries to insert a second document with the same id, and the unique index refuses
 * it with E11000: that means "a newer change is already there". Because two first inserts
 * racing each other produce the same error, the loser retries once without upsert, which
 * applies it if (and only if) it is newer.
 */
import type { Model, QueryFilter } from 'mongoose';
import type { AnchorProjection, Checkpoint, IssuerProjection, ProjectionStore } from '../../../ports/store';
import { isDuplicateKey, type MongoDb } from './db';
import { clean, issuerFromDoc, setUnset } from './mappers';
import type { AnchorDoc, CheckpointDoc, IssuerDoc, Models } from './models';

/** Filter "the stored (block, tx) is not newer than (b, t)". */
const notNewerThan = (blockField: string, txField: string, b: number, t: number) => ({
  $or: [{ [blockField]: { $lt: b } }, { [blockField]: b, [txField]: { $lte: t } }],
});

export class MongoProjection implements ProjectionStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

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
    this.db.check();
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
      replaces: p.replaces,
      replacedBy: p.replacedBy,
      anchoredAt: p.anchoredAt,
      txId: p.txId,
      block: p.block,
      updatedAt: p.updatedAt,
      updatedBlock: p.updatedBlock,
      updatedTx: p.updatedTx,
    };
    await this.conditionalUpsert(
      this.m.Anchor,
      { id: p.id },
      notNewerThan('updatedBlock', 'updatedTx', p.updatedBlock, p.updatedTx),
      setUnset({ ...doc }),
    );
  }

  async getAnchor(id: string): Promise<AnchorProjection | undefined> {
    this.db.check();
    const d = await this.m.Anchor.findOne({ id }).lean<AnchorDoc>().exec();
    return d ? (clean(d) as unknown as AnchorProjection) : undefined;
  }

  async expiringAnchors(
    issuer: string,
    from: string,
    to: string,
    limit: number,
    after?: { validUntil: string; id: string },
  ): Promise<AnchorProjection[]> {
    this.db.check();
    // validUntil is RFC 3339 UTC as the ledger writes it (seconds, no fraction): it sorts as text.
    const window = { $gte: from, $lt: to };
    const filter = {
      issuer,
      status: 'active',
      replacedBy: { $exists: false },
      ...(after
        ? {
            $or: [
              { validUntil: { ...window, $gt: after.validUntil } },
              { validUntil: after.validUntil, id: { $gt: after.id } },
            ],
          }
        : { validUntil: window }),
    };
    const docs = await this.m.Anchor.find(filter)
      .sort({ validUntil: 1, id: 1 })
      .limit(limit)
      .lean<AnchorDoc[]>()
      .exec();
    return docs.map((d) => clean(d) as unknown as AnchorProjection);
  }

  async putIssuer(p: IssuerProjection): Promise<void> {
    this.db.check();
    await this.conditionalUpsert(
      this.m.Issuer,
      { id: p.issuer.id },
      notNewerThan('updatedBlock', 'updatedTx', p.updatedBlock, p.updatedTx),
      { $set: { id: p.issuer.id, record: p.issuer, updatedBlock: p.updatedBlock, updatedTx: p.updatedTx } },
    );
  }

  async getIssuer(id: string): Promise<IssuerProjection | undefined> {
    this.db.check();
    const d = await this.m.Issuer.findOne({ id }).lean<IssuerDoc>().exec();
    return d ? issuerFromDoc(d) : undefined;
  }

  async listIssuers(): Promise<IssuerProjection[]> {
    this.db.check();
    const docs = await this.m.Issuer.find({}).sort({ id: 1 }).lean<IssuerDoc[]>().exec();
    return docs.map(issuerFromDoc);
  }

  async getCheckpoint(name: string): Promise<Checkpoint | undefined> {
    this.db.check();
    const d = await this.m.Checkpoint.findOne({ name }).lean<CheckpointDoc>().exec();
    return d ? { block: d.block, txIndex: d.txIndex } : undefined;
  }

  async putCheckpoint(name: string, c: Checkpoint): Promise<void> {
    this.db.check();
    // A checkpoint only moves forward, like the projection it marks.
    await this.conditionalUpsert(this.m.Checkpoint, { name }, notNewerThan('block', 'txIndex', c.block, c.txIndex), {
      $set: { name, block: c.block, txIndex: c.txIndex },
    });
  }
}
