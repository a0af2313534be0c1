/**
 * Status list entries on MongoDB: one document per (list, index), a conditional upsert that
 * applies only a change not older than the stored one (see ./projection for how a losing
 * upsert is told apart from a racing first insert).
 */
import type { StatusEntryRecord, StatusEntryStore, StatusListSummary } from '../../../ports/store';
import { isDuplicateKey, type MongoDb } from './db';
import type { Models, StatusEntryDoc } from './models';

export class MongoStatusEntries implements StatusEntryStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async putStatusEntry(r: StatusEntryRecord): Promise<void> {
    this.db.check();
    const filter = {
      list: r.list,
      idx: r.idx,
      $or: [
        { updatedBlock: { $lt: r.updatedBlock } },
        { updatedBlock: r.updatedBlock, updatedTx: { $lte: r.updatedTx } },
      ],
    };
    const doc: StatusEntryDoc = { ...r };
    try {
      await this.m.StatusEntry.updateOne(filter, { $set: doc }, { upsert: true }).exec();
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      await this.m.StatusEntry.updateOne(filter, { $set: doc }).exec();
    }
  }

  async listStatusEntries(list: string): Promise<StatusEntryRecord[]> {
    this.db.check();
    const docs = await this.m.StatusEntry.find({ list }).sort({ idx: 1 }).lean<StatusEntryDoc[]>().exec();
    return docs.map((d) => ({
      list: d.list,
      idx: d.idx,
      issuer: d.issuer,
      credentialId: d.credentialId,
      status: d.status as StatusEntryRecord['status'],
      updatedBlock: d.updatedBlock,
      updatedTx: d.updatedTx,
    }));
  }

  async statusEntryTaken(list: string, idx: number): Promise<boolean> {
    this.db.check();
    return (await this.m.StatusEntry.exists({ list, idx }).exec()) !== null;
  }

  async statusLists(issuer?: string): Promise<StatusListSummary[]> {
    this.db.check();
    const rows = await this.m.StatusEntry.aggregate<{ _id: { list: string; issuer: string }; entries: number }>([
      ...(issuer === undefined ? [] : [{ $match: { issuer } }]),
      { $group: { _id: { list: '$list', issuer: '$issuer' }, entries: { $sum: 1 } } },
      { $sort: { '_id.list': 1, '_id.issuer': 1 } },
    ]).exec();
    return rows.map((r) => ({ list: r._id.list, issuer: r._id.issuer, entries: r.entries }));
  }
}
