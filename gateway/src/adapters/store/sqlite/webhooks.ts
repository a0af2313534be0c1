/** Verifiers' webhooks on SQLite. Writes are durable (see db.ts). */
import type { WebhookRecord, WebhookStore } from '../../../ports/store';
import type { SqliteDb } from './db';
import type { Row } from './rows';

function statements(db: SqliteDb) {
  return {
    putWebhook: db.prepare(`
        INSERT INTO webhooks (verifier, url, created_at) VALUES (@verifier, @url, @created_at)
        ON CONFLICT (verifier) DO UPDATE SET url = excluded.url, created_at = excluded.created_at`),
    getWebhook: db.prepare(`SELECT * FROM webhooks WHERE verifier = ?`),
    deleteWebhook: db.prepare(`DELETE FROM webhooks WHERE verifier = ?`),
  };
}

export class SqliteWebhooks implements WebhookStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly db: SqliteDb) {
    this.s = statements(db);
  }

  async putWebhook(r: WebhookRecord): Promise<void> {
    await this.db.durably(() => this.s.putWebhook.run({ verifier: r.verifier, url: r.url, created_at: r.createdAt }));
  }

  async getWebhook(verifier: string): Promise<WebhookRecord | undefined> {
    this.db.check();
    const r = this.s.getWebhook.get(verifier) as Row | undefined;
    return r ? { verifier: r.verifier as string, url: r.url as string, createdAt: r.created_at as string } : undefined;
  }

  async deleteWebhook(verifier: string): Promise<boolean> {
    return (await this.db.durably(() => this.s.deleteWebhook.run(verifier))).changes > 0;
  }
}
