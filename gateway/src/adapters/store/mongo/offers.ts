/** Credential offers on MongoDB: each change is one atomic update of the offer's document. */
import type { OfferRecord, OfferStore } from '../../../ports/store';
import type { MongoDb } from './db';
import { clean, instant } from './mappers';
import type { Models, OfferDoc } from './models';

function offerFromDoc(d: OfferDoc): OfferRecord {
  const { expiresTime: _t, ...rest } = clean<OfferDoc>(d);
  return { ...rest, sealed: { iv: d.sealed.iv, ct: d.sealed.ct, tag: d.sealed.tag, kek: d.sealed.kek } };
}

export class MongoOffers implements OfferStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async putOffer(r: OfferRecord): Promise<void> {
    this.db.check();
    // insertOne: an id or a code already there is refused by the unique indexes.
    await this.m.Offer.create(clean<OfferDoc>({ ...r, expiresTime: instant(r.expiresAt, 'offer expiry') }));
  }

  async getOffer(id: string): Promise<OfferRecord | undefined> {
    this.db.check();
    const d = await this.m.Offer.findOne({ id }).lean<OfferDoc>().exec();
    return d ? offerFromDoc(d) : undefined;
  }

  async findOffer(q: { codeHash: string } | { tokenHash: string }): Promise<OfferRecord | undefined> {
    this.db.check();
    const filter = 'codeHash' in q ? { codeHash: q.codeHash } : { tokenHash: q.tokenHash };
    const d = await this.m.Offer.findOne(filter).lean<OfferDoc>().exec();
    return d ? offerFromDoc(d) : undefined;
  }

  async countOfferFailure(id: string): Promise<number> {
    this.db.check();
    const d = await this.m.Offer.findOneAndUpdate({ id }, { $inc: { failures: 1 } }, { returnDocument: 'after' })
      .lean<OfferDoc>()
      .exec();
    return d?.failures ?? 0;
  }

  async redeemOffer(
    id: string,
    redemption: { redeemedAt: string; tokenHash: string; tokenExpiresAt: string },
    maxFailures: number,
  ): Promise<boolean> {
    this.db.check();
    // One document, one atomic update: of two concurrent redemptions, only one matches "not redeemed".
    const r = await this.m.Offer.updateOne(
      {
        id,
        redeemedAt: { $exists: false },
        expiresTime: { $gt: instant(redemption.redeemedAt, 'now') },
        failures: { $lt: maxFailures },
      },
      { $set: redemption },
    ).exec();
    return r.modifiedCount === 1;
  }

  async completeOffer(id: string, credentialId: string): Promise<void> {
    this.db.check();
    await this.m.Offer.updateOne({ id }, { $set: { credentialId } }).exec();
  }
}
