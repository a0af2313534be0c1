/** Verifiers' webhooks on MongoDB: one document per verifier. */
import type { WebhookRecord, WebhookStore } from '../../../ports/store';
import type { MongoDb } from './db';
import type { Models, WebhookDoc } from './models';

export class MongoWebhooks implements WebhookStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async putWebhook(r: WebhookRecord): Promise<void> {
    this.db.check();
    await this.m.Webhook.updateOne(
      { verifier: r.verifier },
      { $set: { verifier: r.verifier, url: r.url, createdAt: r.createdAt } },
      { upsert: true },
    );
  }

  async getWebhook(verifier: string): Promise<WebhookRecord | undefined> {
    this.db.check();
    const d = await this.m.Webhook.findOne({ verifier }).lean<WebhookDoc>().exec();
    return d ? { verifier: d.verifier, url: d.url, createdAt: d.createdAt } : undefined;
  }

  async deleteWebhook(verifier: string): Promise<boolean> {
    this.db.check();
    return (await this.m.Webhook.deleteOne({ verifier }).exec()).deletedCount > 0;
  }
}
