/**
 * The outbox of notifications on MongoDB: one document per notice; a lease is taken by one
 * atomic findOneAndUpdate per notice, so gateways sharing the database never lease the same
 * notice at once.
 */
import type { NotificationOutcome, NotificationRecord, NotificationStore } from '../../../ports/store';
import type { MongoDb } from './db';
import { instant, notificationDoc, notificationOf, withoutId } from './mappers';
import type { Models, NotificationDoc } from './models';

export class MongoNotifications implements NotificationStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async enqueueNotifications(n: NotificationRecord[]): Promise<number> {
    this.db.check();
    if (!n.length) return 0;
    // Insert-if-absent: a notification already queued (by this gateway or another) is left alone.
    const r = await this.m.Notification.bulkWrite(
      n.map((x) => ({
        updateOne: {
          filter: { id: x.id },
          // The filter's id goes into the inserted document by itself.
          update: { $setOnInsert: withoutId(notificationDoc(x)) },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    return r.upsertedCount;
  }

  async claimDueNotifications(
    now: string,
    limit: number,
    owner: string,
    leaseMs: number,
  ): Promise<NotificationRecord[]> {
    this.db.check();
    const nowTime = instant(now, 'now');
    const until = new Date(nowTime.getTime() + leaseMs);
    const out: NotificationRecord[] = [];
    // One atomic findOneAndUpdate per notification: the filter (pending, due) is checked
    // and the lease written in one step on the server, so a notification another gateway
    // leased a moment ago (its next attempt moved to its lease's end) no longer matches.
    while (out.length < limit) {
      const d = await this.m.Notification.findOneAndUpdate(
        { state: 'pending', nextAttemptTime: { $lte: nowTime } },
        {
          $set: { leaseOwner: owner, nextAttemptAt: until.toISOString(), nextAttemptTime: until },
          $inc: { attempts: 1 },
        },
        { sort: { nextAttemptTime: 1, createdTime: 1, id: 1 }, returnDocument: 'after' },
      )
        .lean<NotificationDoc>()
        .exec();
      if (!d) break;
      out.push(notificationOf(d));
    }
    return out;
  }

  async settleNotification(id: string, owner: string, outcome: NotificationOutcome): Promise<boolean> {
    this.db.check();
    const r =
      outcome.state === 'delivered'
        ? await this.m.Notification.updateOne(
            { id, state: { $ne: 'delivered' } },
            { $set: { state: 'delivered', deliveredAt: outcome.at }, $unset: { lastError: 1, leaseOwner: 1 } },
          ).exec()
        : await this.m.Notification.updateOne(
            { id, state: 'pending', leaseOwner: owner },
            {
              $set: {
                state: outcome.state,
                lastError: outcome.error,
                nextAttemptAt: outcome.nextAttemptAt,
                nextAttemptTime: instant(outcome.nextAttemptAt, 'next attempt time'),
              },
              $unset: { leaseOwner: 1 },
            },
          ).exec();
    return r.modifiedCount === 1;
  }

  async listNotifications(verifier: string, limit: number): Promise<NotificationRecord[]> {
    this.db.check();
    const docs = await this.m.Notification.find({ verifier })
      .sort({ createdTime: -1, id: -1 })
      .limit(limit)
      .lean<NotificationDoc[]>()
      .exec();
    return docs.map(notificationOf);
  }

  async countNotifications(): Promise<Record<NotificationRecord['state'], number>> {
    this.db.check();
    const counts = { pending: 0, delivered: 0, failed: 0 };
    const groups = await this.m.Notification.aggregate<{ _id: keyof typeof counts; n: number }>([
      { $group: { _id: '$state', n: { $sum: 1 } } },
    ]).exec();
    for (const g of groups) if (g._id in counts) counts[g._id] = g.n;
    return counts;
  }
}
