/** Re-sealing on MongoDB: one updateOne per document, matched on its current ciphertext. */
import type { ResealStore, Sealed, SealedEntry, SealedKind } from '../../../ports/store';
import type { MongoDb } from './db';
import { sameSealed } from './mappers';
import type { Models } from './models';

export class MongoResealing implements ResealStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  private model(kind: SealedKind) {
    return kind === 'custodial_key'
      ? { model: this.m.CustodialKey as unknown as typeof this.m.Credential, idField: 'kid' }
      : { model: this.m.Credential, idField: 'id' };
  }

  async listSealed(kind: SealedKind, after: string | undefined, limit: number): Promise<SealedEntry[]> {
    this.db.check();
    const { model, idField } = this.model(kind);
    const docs = await model
      .find(after === undefined ? {} : { [idField]: { $gt: after } }, { [idField]: 1, sealed: 1 })
      .sort({ [idField]: 1 })
      .limit(limit)
      .lean<Array<Record<string, unknown>>>()
      .exec();
    return docs.map((d) => ({ kind, id: d[idField] as string, sealed: sameSealed(d.sealed as Sealed) }));
  }

  async replaceSealed(kind: SealedKind, id: string, expected: Sealed, next: Sealed): Promise<boolean> {
    this.db.check();
    const { model, idField } = this.model(kind);
    const r = await model
      .updateOne({ [idField]: id, 'sealed.ct': expected.ct }, { $set: { sealed: sameSealed(next) } })
      .exec();
    return r.modifiedCount === 1;
  }
}
