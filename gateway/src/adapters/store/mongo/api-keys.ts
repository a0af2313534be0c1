/** API keys on MongoDB: one document per key, upserted whole. */
import type { ApiKeyRecord, ApiKeyStore, Principal } from '../../../ports/store';
import type { MongoDb } from './db';
import { apiKeyFromDoc, setUnset } from './mappers';
import type { ApiKeyDoc, Models } from './models';

export class MongoApiKeys implements ApiKeyStore {
  private readonly m: Models;

  constructor(private readonly db: MongoDb) {
    this.m = db.models;
  }

  async putApiKey(r: ApiKeyRecord): Promise<void> {
    this.db.check();
    const doc: ApiKeyDoc = {
      id: r.id,
      hash: r.hash,
      principalType: r.principal.type,
      principalId: r.principal.id,
      scopes: [...r.scopes],
      label: r.label,
      createdAt: r.createdAt,
      revokedAt: r.revokedAt,
    };
    await this.m.ApiKey.updateOne({ id: r.id }, setUnset({ ...doc }), { upsert: true }).exec();
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    this.db.check();
    const d = await this.m.ApiKey.findOne({ id }).lean<ApiKeyDoc>().exec();
    return d ? apiKeyFromDoc(d) : undefined;
  }

  async listApiKeys(principal?: Principal): Promise<ApiKeyRecord[]> {
    this.db.check();
    const filter = principal ? { principalType: principal.type, principalId: principal.id } : {};
    const docs = await this.m.ApiKey.find(filter).sort({ createdAt: 1, id: 1 }).lean<ApiKeyDoc[]>().exec();
    return docs.map(apiKeyFromDoc);
  }
}
