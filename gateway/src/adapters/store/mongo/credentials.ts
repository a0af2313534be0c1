/** Credential records on MongoDB: one document per credential; an anchored one never goes back to pending. */
import type { CredentialRecord, CredentialStore, HeldCredential } from '../../../ports/store';
import { isDuplicateKey, type MongoDb } from './db';
import { clean, credentialDoc, credentialFromDoc, setUnset } from './mappers';
import type { CredentialDoc, Models } from './models';

export class MongoCredentials implements CredentialStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async putCredential(r: CredentialRecord): Promise<void> {
    this.db.check();
    const doc = credentialDoc(r);
    // An anchored record is never turned back into a pending one: a pending write only
    // matches a record that is not anchored; against an anchored one its upsert collides
    // with the unique id (E11000) and is dropped.
    const filter = r.state === 'pending' ? { id: r.id, state: { $ne: 'anchored' } } : { id: r.id };
    try {
      await this.m.Credential.updateOne(filter, setUnset({ ...doc }), { upsert: true }).exec();
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      // Either an anchored record is there (nothing to do) or two first writes raced: retry without upsert.
      await this.m.Credential.updateOne(filter, setUnset({ ...doc })).exec();
    }
  }

  async createCredential(r: CredentialRecord): Promise<CredentialRecord> {
    this.db.check();
    const doc = clean(credentialDoc(r));
    const { id: _id, ...rest } = doc;
    // Insert-if-absent on one document: returns the document as it was (null when this call inserted it).
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const before = await this.m.Credential.findOneAndUpdate(
          { id: r.id },
          { $setOnInsert: rest },
          { upsert: true, returnDocument: 'before' },
        )
          .lean<CredentialDoc>()
          .exec();
        return before ? credentialFromDoc(before) : r;
      } catch (e) {
        // Two first inserts racing: the loser reads the winner's.
        if (!isDuplicateKey(e)) throw e;
        const existing = await this.m.Credential.findOne({ id: r.id }).lean<CredentialDoc>().exec();
        if (existing) return credentialFromDoc(existing);
      }
    }
    throw new Error(`store: could not record credential ${r.id}: contended`);
  }

  async getCredential(id: string): Promise<CredentialRecord | undefined> {
    this.db.check();
    const d = await this.m.Credential.findOne({ id }).lean<CredentialDoc>().exec();
    return d ? credentialFromDoc(d) : undefined;
  }

  async credentialsOfHolderKey(jkt: string, limit: number): Promise<HeldCredential[]> {
    this.db.check();
    if (!jkt) return [];
    const docs = await this.m.Credential.find({ holderJkt: jkt }, { id: 1, type: 1, issuer: 1 })
      .sort({ createdAt: -1, id: 1 })
      .limit(limit)
      .lean<CredentialDoc[]>()
      .exec();
    return docs.map((d) => ({ id: d.id, type: d.type as HeldCredential['type'], issuer: d.issuer }));
  }

  async credentialsWithoutHolderKey(limit: number): Promise<CredentialRecord[]> {
    this.db.check();
    const docs = await this.m.Credential.find({ format: 'dc+sd-jwt', holderJkt: { $exists: false } })
      .sort({ id: 1 })
      .limit(limit)
      .lean<CredentialDoc[]>()
      .exec();
    return docs.map(credentialFromDoc);
  }

  async setHolderKey(id: string, jkt: string): Promise<void> {
    this.db.check();
    await this.m.Credential.updateOne({ id }, { $set: { holderJkt: jkt } }).exec();
  }
}
