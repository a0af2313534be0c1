/** The verification log on MongoDB: one document per (credential, verifier, instant). */
import type { VerificationLogEntry, VerificationLogStore } from '../../../ports/store';
import type { MongoDb } from './db';
import { instant } from './mappers';
import type { Models, VerificationDoc } from './models';

export class MongoVerificationLog implements VerificationLogStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async recordVerifications(entries: VerificationLogEntry[]): Promise<void> {
    this.db.check();
    if (!entries.length) return;
    // Idempotent: the same verifier checking the same credential at the same instant is one entry.
    await this.m.Verification.bulkWrite(
      entries.map((e) => ({
        updateOne: {
          filter: { credentialId: e.credentialId, verifier: e.verifier, at: e.at },
          update: {
            $setOnInsert: {
              atTime: instant(e.at, 'verification time'),
              verified: e.verified,
              ...(e.binding ? { binding: e.binding } : {}),
            },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  async verifiersSince(credentialId: string, since: string): Promise<VerificationLogEntry[]> {
    this.db.check();
    // Aggregation does not cast: the $match values are already BSON types.
    const rows = await this.m.Verification.aggregate<VerificationDoc>([
      { $match: { credentialId, atTime: { $gte: instant(since, 'since') } } },
      { $sort: { atTime: -1, at: -1 } },
      { $group: { _id: '$verifier', doc: { $first: '$$ROOT' } } },
      { $replaceRoot: { newRoot: '$doc' } },
      { $sort: { atTime: -1, verifier: 1 } },
    ]).exec();
    return rows.map((d) => ({ credentialId: d.credentialId, verifier: d.verifier, at: d.at, verified: d.verified }));
  }

  async verificationsOf(credentialIds: readonly string[], limit: number): Promise<VerificationLogEntry[]> {
    this.db.check();
    if (!credentialIds.length) return [];
    const docs = await this.m.Verification.find({ credentialId: { $in: [...credentialIds] } })
      .sort({ atTime: -1, _id: -1 })
      .limit(limit)
      .lean<VerificationDoc[]>()
      .exec();
    return docs.map((d) => ({
      credentialId: d.credentialId,
      verifier: d.verifier,
      at: d.at,
      verified: d.verified,
      ...(d.binding ? { binding: d.binding } : {}),
    }));
  }
}
