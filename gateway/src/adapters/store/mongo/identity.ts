/** The store's identity on MongoDB: one document (`_id: 'store'`), inserted once. */
import type { IdentityStore, StoreIdentity } from '../../../ports/store';
import type { MongoDb } from './db';
import type { IdentityDoc, Models } from './models';

const ID = 'store';

function fromDoc(d: IdentityDoc): StoreIdentity {
  return { ledger: { channel: d.channel, genesisHash: d.genesisHash }, kek: d.kek, createdAt: d.createdAt };
}

export class MongoIdentity implements IdentityStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async getIdentity(): Promise<StoreIdentity | undefined> {
    this.db.check();
    const d = await this.m.Identity.findById(ID).lean<IdentityDoc>().exec();
    return d ? fromDoc(d) : undefined;
  }

  async claimIdentity(identity: StoreIdentity): Promise<StoreIdentity> {
    this.db.check();
    // $setOnInsert: the first gateway's record wins; a later claim changes nothing.
    const d = await this.m.Identity.findOneAndUpdate(
      { _id: ID },
      {
        $setOnInsert: {
          channel: identity.ledger.channel,
          genesisHash: identity.ledger.genesisHash,
          kek: identity.kek,
          createdAt: identity.createdAt,
        },
      },
      { upsert: true, new: true },
    )
      .lean<IdentityDoc>()
      .exec();
    return fromDoc(d!);
  }

  async recordIdentityKek(kek: string): Promise<void> {
    this.db.check();
    await this.m.Identity.updateOne({ _id: ID }, { $set: { kek } }).exec();
  }
}
