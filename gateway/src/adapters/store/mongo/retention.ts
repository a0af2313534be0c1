/** Retention on MongoDB: each kind's old documents in one deleteMany. */
import type { PruneCounts, RetentionCutoffs, RetentionStore } from '../../../ports/store';
import type { MongoDb } from './db';
import { instant } from './mappers';
import type { Models } from './models';

export class MongoRetention implements RetentionStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async prune(c: RetentionCutoffs): Promise<PruneCounts> {
    this.db.check();
    const v = await this.m.Verification.deleteMany({
      atTime: { $lt: instant(c.verifications, 'verification cutoff') },
    });
    // createdAt is kept as written (RFC 3339 text): compared as a date on the server.
    const i = await this.m.Idempotency.deleteMany({
      response: { $exists: true },
      $expr: {
        $lt: [
          // A value that does not parse is kept (never deleted for want of a date).
          { $dateFromString: { dateString: '$createdAt', onError: new Date(8.64e15) } },
          instant(c.idempotency, 'idempotency cutoff'),
        ],
      },
    });
    const n = await this.m.Notification.deleteMany({
      state: { $ne: 'pending' },
      createdTime: { $lt: instant(c.notifications, 'notification cutoff') },
    });
    const x = await this.m.Nonce.deleteMany({ expiresTime: { $lt: instant(c.nonces, 'nonce cutoff') } });
    const o = c.offers
      ? await this.m.Offer.deleteMany({ expiresTime: { $lt: instant(c.offers, 'offer cutoff') } })
      : undefined;
    const p = c.presentationRequests
      ? await this.m.PresentationRequest.deleteMany({
          expiresTime: { $lt: instant(c.presentationRequests, 'presentation request cutoff') },
        })
      : undefined;
    return {
      ...(o ? { offers: o.deletedCount } : {}),
      ...(p ? { presentationRequests: p.deletedCount } : {}),
      verifications: v.deletedCount,
      idempotency: i.deletedCount,
      notifications: n.deletedCount,
      nonces: x.deletedCount,
    };
  }
}
