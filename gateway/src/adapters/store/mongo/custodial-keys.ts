/** Custodial keys on MongoDB: one document per key, upserted whole. */
import type { CustodialKeyRecord, CustodialKeyStore } from '../../../ports/store';
import type { MongoDb } from './db';
import { custodialKeyFromDoc, sameSealed, setUnset } from './mappers';
import type { CustodialKeyDoc, Models } from './models';

export class MongoCustodialKeys implements CustodialKeyStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async putCustodialKey(r: CustodialKeyRecord): Promise<void> {
    this.db.check();
    const doc: CustodialKeyDoc = {
      kid: r.kid,
      owner: r.owner,
      alg: r.alg,
      publicJwk: { ...r.publicJwk },
      sealed: sameSealed(r.sealed),
      createdAt: r.createdAt,
    };
    await this.m.CustodialKey.updateOne({ kid: r.kid }, setUnset({ ...doc }), { upsert: true }).exec();
  }

  async getCustodialKey(kid: string): Promise<CustodialKeyRecord | undefined> {
    this.db.check();
    const d = await this.m.CustodialKey.findOne({ kid }).lean<CustodialKeyDoc>().exec();
    return d ? custodialKeyFromDoc(d) : undefined;
  }

  async listCustodialKeys(owner: string): Promise<CustodialKeyRecord[]> {
    this.db.check();
    const docs = await this.m.CustodialKey.find({ owner })
      .sort({ createdAt: 1, kid: 1 })
      .lean<CustodialKeyDoc[]>()
      .exec();
    return docs.map(custodialKeyFromDoc);
  }
}
