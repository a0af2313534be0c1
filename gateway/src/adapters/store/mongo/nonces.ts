/** One-time nonces on MongoDB: a use is one atomic findOneAndUpdate on the nonce's document. */
import type { NonceRecord, NonceStore, NonceUse } from '../../../ports/store';
import { whyNotUsable } from '../nonce-use';
import type { MongoDb } from './db';
import { clean, instant, nonceFromDoc } from './mappers';
import type { Models, NonceDoc } from './models';

export class MongoNonces implements NonceStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async putNonce(r: NonceRecord): Promise<void> {
    this.db.check();
    // insertOne, not an upsert: a nonce already there is refused by the unique index.
    await this.m.Nonce.create(
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
    this.db.check();
    const at = instant(now, 'now');
    // One document, one atomic update: of two concurrent uses, only one matches "unused".
    const used = await this.m.Nonce.findOneAndUpdate(
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
    const d = await this.m.Nonce.findOne({ nonce: q.nonce }).lean<NonceDoc>().exec();
    return { ok: false, why: whyNotUsable(d ? nonceFromDoc(d) : undefined, q, at.getTime()) };
  }
}
