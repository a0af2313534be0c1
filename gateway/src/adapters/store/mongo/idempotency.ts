/** Idempotency claims on MongoDB: each claim one document, each condition and its effect one atomic update. */
import type { IdempotencyRecord, IdempotencyStore } from '../../../ports/store';
import { isDuplicateKey, type MongoDb } from './db';
import { idempotencyFromDoc, instant } from './mappers';
import type { IdempotencyDoc, Models } from './models';

export class MongoIdempotency implements IdempotencyStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async claimIdempotencyKey(r: IdempotencyRecord): Promise<IdempotencyRecord | undefined> {
    this.db.check();
    const insert: Record<string, unknown> = {
      requestHash: r.requestHash,
      createdAt: r.createdAt,
      ...(r.response ? { response: { status: r.response.status, body: JSON.stringify(r.response.body) } } : {}),
      ...(r.resource !== undefined ? { resource: r.resource } : {}),
      ...(r.leaseUntil !== undefined
        ? { leaseUntil: r.leaseUntil, leaseTime: instant(r.leaseUntil, 'lease end') }
        : {}),
    };
    // findOneAndUpdate + $setOnInsert + upsert is atomic on one document: it returns the
    // document as it was before (null when this call inserted it) and never modifies an
    // existing one. Two first claims racing: the loser gets E11000 (or the server retries
    // it as a match); then the existing claim is read. If that claim is released between
    // the two, claim again.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const before = await this.m.Idempotency.findOneAndUpdate(
          { principal: r.principal, key: r.key },
          { $setOnInsert: insert },
          { upsert: true, returnDocument: 'before' },
        )
          .lean<IdempotencyDoc>()
          .exec();
        return before ? idempotencyFromDoc(before) : undefined;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
        const existing = await this.m.Idempotency.findOne({ principal: r.principal, key: r.key })
          .lean<IdempotencyDoc>()
          .exec();
        if (existing) return idempotencyFromDoc(existing);
      }
    }
    throw new Error(`store: could not claim idempotency key ${JSON.stringify(r.key)}: contended`);
  }

  async takeOverIdempotencyKey(
    principal: string,
    key: string,
    now: string,
    leaseUntil: string,
  ): Promise<IdempotencyRecord | undefined> {
    this.db.check();
    // The condition (open, lease ended or none) is the filter: the update applies to the
    // document only if it still holds when the server writes it, so one taker wins.
    const d = await this.m.Idempotency.findOneAndUpdate(
      {
        principal,
        key,
        response: { $exists: false },
        $or: [{ leaseTime: { $exists: false } }, { leaseTime: null }, { leaseTime: { $lte: instant(now, 'now') } }],
      },
      { $set: { leaseUntil, leaseTime: instant(leaseUntil, 'lease end') } },
      { returnDocument: 'after' },
    )
      .lean<IdempotencyDoc>()
      .exec();
    return d ? idempotencyFromDoc(d) : undefined;
  }

  async completeIdempotencyKey(
    principal: string,
    key: string,
    response: { status: number; body: unknown },
  ): Promise<void> {
    this.db.check();
    await this.m.Idempotency.updateOne(
      { principal, key },
      {
        $set: { response: { status: response.status, body: JSON.stringify(response.body) } },
        $unset: { leaseUntil: 1, leaseTime: 1 },
      },
    ).exec();
  }

  async yieldIdempotencyKey(principal: string, key: string, leaseUntil: string): Promise<void> {
    this.db.check();
    await this.m.Idempotency.updateOne(
      { principal, key, response: { $exists: false }, leaseUntil },
      { $unset: { leaseUntil: 1, leaseTime: 1 } },
    ).exec();
  }

  async releaseIdempotencyKey(principal: string, key: string, leaseUntil?: string): Promise<void> {
    this.db.check();
    // Only an open claim is forgotten (a completed one keeps answering retries), and with
    // a lease given only while it is still that lease.
    await this.m.Idempotency.deleteOne({
      principal,
      key,
      response: { $exists: false },
      ...(leaseUntil !== undefined ? { leaseUntil } : {}),
    }).exec();
  }
}
